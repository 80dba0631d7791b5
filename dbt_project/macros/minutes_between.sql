{#- Whole minutes from `start` to `end` (timestamps), rounded down (floor, also when negative). -#}
{% macro minutes_between(start, end) -%}
    {{ return(adapter.dispatch('minutes_between', 'usage_to_cash')(start, end)) }}
{%- endmacro %}

{% macro default__minutes_between(start, end) -%}
    cast(floor(epoch({{ end }} - {{ start }}) / 60) as bigint)
{%- endmacro %}

{#- exact on integers: the microseconds less their non-negative remainder, divided -#}
{% macro spark__minutes_between(start, end) -%}
    ((unix_micros({{ end }}) - unix_micros({{ start }}))
        - pmod(unix_micros({{ end }}) - unix_micros({{ start }}), 60000000)) div 60000000
{%- endmacro %}
