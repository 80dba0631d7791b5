{#- Meters: how the seed's text columns become lists, how an event is tested and valued, and how
    partial aggregates combine. The engines' list lambdas and JSON functions live here only: each
    macro has DuckDB's SQL (default__) and Spark's (spark__), which must decide alike. -#}

{#- `filters` ('$.path=v1|v2; $.other!=v3') -> list of struct(path, op, vals). -#}
{% macro meter_filters_parsed(filters) -%}
    {{ return(adapter.dispatch('meter_filters_parsed')(filters)) }}
{%- endmacro %}

{% macro default__meter_filters_parsed(filters) -%}
    case
        when coalesce(trim({{ filters }}), '') = '' then []
        else list_transform(
            list_filter(string_split({{ filters }}, ';'), f -> trim(f) <> ''),
            f -> regexp_extract(trim(f), '^(\$[^!=]*?)\s*(!=|=)\s*(.*)$', ['path', 'op', 'vals'])
        )
    end
{%- endmacro %}

{#- `group_by` ('$.route;$.method') -> list of JSON paths. -#}
{% macro meter_paths_parsed(paths) -%}
    {{ return(adapter.dispatch('meter_paths_parsed')(paths)) }}
{%- endmacro %}

{% macro default__meter_paths_parsed(paths) -%}
    case
        when coalesce(trim({{ paths }}), '') = '' then []
        else list_transform(
            list_filter(string_split({{ paths }}, ';'), p -> trim(p) <> ''), p -> trim(p)
        )
    end
{%- endmacro %}

{#- A filter is malformed when it does not parse into a path, an operator and values. -#}
{% macro meter_filters_valid(parsed) -%}
    {{ return(adapter.dispatch('meter_filters_valid')(parsed)) }}
{%- endmacro %}

{% macro default__meter_filters_valid(parsed) -%}
    coalesce(list_bool_and(list_transform({{ parsed }}, f -> f.path <> '' and f.op <> '')), true)
{%- endmacro %}

{#- True when the payload passes every filter: `=` one of the values, `!=` none of them
    (a missing property is != anything). Values compare as JSON text (strings unquoted). -#}
{% macro meter_filters_pass(parsed, payload) -%}
    {{ return(adapter.dispatch('meter_filters_pass')(parsed, payload)) }}
{%- endmacro %}

{% macro default__meter_filters_pass(parsed, payload) -%}
    coalesce(list_bool_and(list_transform(
        {{ parsed }},
        f -> case
            when f.op = '='
                then coalesce(
                    list_contains(string_split(f.vals, '|'), json_extract_string({{ payload }}, f.path)),
                    false
                )
            else not coalesce(
                list_contains(string_split(f.vals, '|'), json_extract_string({{ payload }}, f.path)),
                false
            )
        end
    )), true)
{%- endmacro %}

{#- The group-by values of an event as a JSON object {"route": "/v1", ...} ('{}' without any). -#}
{% macro meter_dimensions(paths, payload) -%}
    {{ return(adapter.dispatch('meter_dimensions')(paths, payload)) }}
{%- endmacro %}

{% macro default__meter_dimensions(paths, payload) -%}
    case
        when len({{ paths }}) = 0 then '{}'
        else to_json(map_from_entries(list_transform(
            {{ paths }},
            p -> struct_pack(k := regexp_replace(p, '^\$\.?', ''), v := json_extract_string({{ payload }}, p))
        )))::varchar
    end
{%- endmacro %}

{#- The JSON payload a meter reads: `data`, or `data_base64` decoded when its content type is
    JSON (`*/json`, `*/*+json`: CloudEvents JSON format 3.1); null when it cannot be read. -#}
{% macro meter_payload(data, data_base64, datacontenttype) -%}
    {{ return(adapter.dispatch('meter_payload')(data, data_base64, datacontenttype)) }}
{%- endmacro %}

{% macro default__meter_payload(data, data_base64, datacontenttype) -%}
    case
        when {{ data_base64 }} is null then {{ data }}
        when regexp_matches(
            lower(split_part(coalesce({{ datacontenttype }}, ''), ';', 1)), '^[^/]+/([^/]*\+)?json\s*$'
        )
            then case
                when json_valid(try(decode(from_base64({{ data_base64 }}))))
                    then json(try(decode(from_base64({{ data_base64 }}))))::varchar
            end
    end
{%- endmacro %}

{#- A value a meter may read: a JSON number, or a string holding one (as OpenMeter and Stripe
    accept). Exact to 9 decimals; anything else is null (not_a_number / not_representable). -#}
{% macro meter_value_text(payload, path) -%}
    {{ return(adapter.dispatch('meter_value_text')(payload, path)) }}
{%- endmacro %}

{% macro default__meter_value_text(payload, path) -%}
    case
        when json_type({{ payload }}, {{ path }}) in ('BIGINT', 'UBIGINT', 'DOUBLE', 'HUGEINT')
            then json_extract_string({{ payload }}, {{ path }})
        when json_type({{ payload }}, {{ path }}) = 'VARCHAR'
            then trim(json_extract_string({{ payload }}, {{ path }}))
    end
{%- endmacro %}

{#- The value text as decimal(38, 9), null when it is none or does not fit. DuckDB 1.4 casts text
    to decimal(38, 9) digit by digit in 128-bit arithmetic, about 20x slower than to hugeint: a
    text without a point or an exponent goes through hugeint (the same value, the same nulls:
    test_zero_and_huge_usage_values in tests/reliability/test_contract_edges.py). -#}
{% macro meter_value_decimal(text) -%}
    {{ return(adapter.dispatch('meter_value_decimal')(text)) }}
{%- endmacro %}

{% macro default__meter_value_decimal(text) -%}
    case
        when contains({{ text }}, '.') or contains({{ text }}, 'e') or contains({{ text }}, 'E')
            then try_cast({{ text }} as decimal(38, 9))
        else try_cast(try_cast({{ text }} as hugeint) as decimal(38, 9))
    end
{%- endmacro %}

{% macro spark__meter_value_decimal(text) -%}
    try_cast({{ text }} as decimal(38, 9))
{%- endmacro %}

{#- The partial aggregates of a set of metered rows combined per the meter's aggregation. Each
    input row carries: quantity (sum of values), event_count, min_value, max_value, latest_value
    with latest_occurred_at and latest_event (the order of LATEST: time, then source and id), and
    unique_value (the value itself for UNIQUE_COUNT, one row per distinct value). `condition`
    restricts the rows (e.g. on-time only); no row at all is 0. -#}
{% macro combine_usage(aggregation, condition=none) -%}
    {%- set where = " filter (where " ~ condition ~ ")" if condition else "" -%}
    case {{ aggregation }}
        when 'SUM' then coalesce(sum(quantity){{ where }}, 0)
        when 'COUNT' then coalesce(sum(event_count){{ where }}, 0)
        when 'MIN' then coalesce(min(min_value){{ where }}, 0)
        when 'MAX' then coalesce(max(max_value){{ where }}, 0)
        when 'LATEST'
            then coalesce(
                {{ max_by('latest_value', ['latest_occurred_at', 'latest_event']) }}{{ where }}, 0
            )
        when 'UNIQUE_COUNT' then count(distinct unique_value){{ where }}
    end
{%- endmacro %}

{#- JSON at a path as text (strings unquoted, numbers as the engine prints them: DuckDB and Spark
    both print 1.50 as 1.5 and 1e3 as 1000.0); null when absent or JSON null. -#}
{% macro json_text(payload, path) -%}
    {{ return(adapter.dispatch('json_text')(payload, path)) }}
{%- endmacro %}

{% macro default__json_text(payload, path) -%}
    json_extract_string({{ payload }}, {{ path }})
{%- endmacro %}

{% macro spark__json_text(payload, path) -%}
    get_json_object({{ payload }}, {{ path }})
{%- endmacro %}

{#- JSON at a path as JSON text ('null' for JSON null), null when absent. Spark's
    get_json_object gives JSON null as null and unquotes strings: a caller treats null and 'null'
    alike, so only the string "null" reads differently there (as JSON null). -#}
{% macro json_raw(payload, path) -%}
    {{ return(adapter.dispatch('json_raw')(payload, path)) }}
{%- endmacro %}

{% macro default__json_raw(payload, path) -%}
    cast(json_extract({{ payload }}, {{ path }}) as string)
{%- endmacro %}

{% macro spark__json_raw(payload, path) -%}
    get_json_object({{ payload }}, {{ path }})
{%- endmacro %}

{#- Spark: split takes a regular expression (the value separator | is escaped as [|]),
    string literals unescape backslashes (regular expressions double them), arrays are filtered
    and transformed with filter/transform/forall, JSON read with get_json_object. -#}
{% macro spark__meter_filters_parsed(filters) -%}
    transform(
        filter(split(coalesce({{ filters }}, ''), ';'), f -> trim(f) <> ''),
        f -> named_struct(
            'path', regexp_extract(trim(f), '^(\\$[^!=]*?)\\s*(!=|=)\\s*(.*)$', 1),
            'op', regexp_extract(trim(f), '^(\\$[^!=]*?)\\s*(!=|=)\\s*(.*)$', 2),
            'vals', regexp_extract(trim(f), '^(\\$[^!=]*?)\\s*(!=|=)\\s*(.*)$', 3)
        )
    )
{%- endmacro %}

{% macro spark__meter_paths_parsed(paths) -%}
    transform(filter(split(coalesce({{ paths }}, ''), ';'), p -> trim(p) <> ''), p -> trim(p))
{%- endmacro %}

{% macro spark__meter_filters_valid(parsed) -%}
    coalesce(forall({{ parsed }}, f -> f.path <> '' and f.op <> ''), true)
{%- endmacro %}

{% macro spark__meter_filters_pass(parsed, payload) -%}
    coalesce(forall(
        {{ parsed }},
        f -> case
            when f.op = '='
                then coalesce(
                    array_contains(split(f.vals, '[|]'), get_json_object({{ payload }}, f.path)), false
                )
            else not coalesce(
                array_contains(split(f.vals, '[|]'), get_json_object({{ payload }}, f.path)), false
            )
        end
    ), true)
{%- endmacro %}

{% macro spark__meter_dimensions(paths, payload) -%}
    case
        when size({{ paths }}) = 0 then '{}'
        else to_json(map_from_entries(transform(
            {{ paths }},
            p -> named_struct('k', regexp_replace(p, '^\\$\\.?', ''), 'v', get_json_object({{ payload }}, p))
        )))
    end
{%- endmacro %}

{% macro spark__meter_payload(data, data_base64, datacontenttype) -%}
    case
        when {{ data_base64 }} is null then {{ data }}
        when lower(split_part(coalesce({{ datacontenttype }}, ''), ';', 1)) rlike '^[^/]+/([^/]*\\+)?json\\s*$'
            then to_json(try_parse_json(cast(try_to_binary({{ data_base64 }}, 'base64') as string)))
    end
{%- endmacro %}

{#- Spark has no JSON type test on a path held in a column: a string holding a number and the
    number read the same once trimmed, and anything else (true, an object) is not a number on
    both engines, so the decision matches DuckDB's. -#}
{% macro spark__meter_value_text(payload, path) -%}
    trim(get_json_object({{ payload }}, {{ path }}))
{%- endmacro %}

