{#- Aggregates that the engines spell differently (issue 20: the same models on Spark). -#}

{#- The `value` of the row with the greatest `keys` (a list: compared in order, as a tuple). -#}
{% macro max_by(value, keys) -%}
    {{ return(adapter.dispatch('max_by', 'usage_to_cash')(value, keys)) }}
{%- endmacro %}

{% macro default__max_by(value, keys) -%}
    arg_max({{ value }}, {% if keys | length == 1 %}{{ keys[0] }}{% else %}({{ keys | join(', ') }}){% endif %})
{%- endmacro %}

{% macro spark__max_by(value, keys) -%}
    max_by({{ value }}, {% if keys | length == 1 %}{{ keys[0] }}{% else %}struct({{ keys | join(', ') }}){% endif %})
{%- endmacro %}

{#- The `expression`s of a group joined by `separator`, in `order_by` order. -#}
{% macro ordered_string_agg(expression, separator, order_by) -%}
    {{ return(adapter.dispatch('ordered_string_agg', 'usage_to_cash')(expression, separator, order_by)) }}
{%- endmacro %}

{% macro default__ordered_string_agg(expression, separator, order_by) -%}
    string_agg({{ expression }}, {{ separator }} order by {{ order_by }})
{%- endmacro %}

{% macro spark__ordered_string_agg(expression, separator, order_by) -%}
    listagg({{ expression }}, {{ separator }}) within group (order by {{ order_by }})
{%- endmacro %}
