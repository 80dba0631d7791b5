{#- A 64-bit hash of a key's columns: a cheap prefilter before grouping or joining on the key
    itself (a collision is never a result). DuckDB's `hash` is 64-bit; Spark's `hash` is 32-bit
    murmur3, its 64-bit one is `xxhash64`. -#}
{% macro key_hash(columns) -%}
    {{ return(adapter.dispatch('key_hash', 'usage_to_cash')(columns)) }}
{%- endmacro %}

{% macro default__key_hash(columns) -%}
    hash({{ columns }})
{%- endmacro %}

{% macro spark__key_hash(columns) -%}
    xxhash64({{ columns }})
{%- endmacro %}
