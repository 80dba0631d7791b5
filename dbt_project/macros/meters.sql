{#- Meters: how the seed's text columns become lists, how an event is tested and valued, and how
    partial aggregates combine. DuckDB list lambdas and JSON functions live here only, so another
    engine needs these macros alone rewritten. -#}

{#- `filters` ('$.path=v1|v2; $.other!=v3') -> list of struct(path, op, vals). -#}
{% macro meter_filters_parsed(filters) -%}
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
    case
        when coalesce(trim({{ paths }}), '') = '' then []
        else list_transform(
            list_filter(string_split({{ paths }}, ';'), p -> trim(p) <> ''), p -> trim(p)
        )
    end
{%- endmacro %}

{#- A filter is malformed when it does not parse into a path, an operator and values. -#}
{% macro meter_filters_valid(parsed) -%}
    coalesce(list_bool_and(list_transform({{ parsed }}, f -> f.path <> '' and f.op <> '')), true)
{%- endmacro %}

{#- True when the payload passes every filter: `=` one of the values, `!=` none of them
    (a missing property is != anything). Values compare as JSON text (strings unquoted). -#}
{% macro meter_filters_pass(parsed, payload) -%}
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
    case
        when json_type({{ payload }}, {{ path }}) in ('BIGINT', 'UBIGINT', 'DOUBLE', 'HUGEINT')
            then json_extract_string({{ payload }}, {{ path }})
        when json_type({{ payload }}, {{ path }}) = 'VARCHAR'
            then trim(json_extract_string({{ payload }}, {{ path }}))
    end
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
                arg_max(latest_value, struct_pack(t := latest_occurred_at, e := latest_event)){{ where }}, 0
            )
        when 'UNIQUE_COUNT' then count(distinct unique_value){{ where }}
    end
{%- endmacro %}
