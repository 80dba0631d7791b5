{#- The config of an incremental model whose runs replace whole keys (a day, a batch): DuckDB
    deletes the key's rows and inserts the new ones (delete+insert on `unique_key`); Spark's
    Parquet tables have no delete (merge needs Delta), so the table is partitioned by
    `partition_by` (the coarse key that `unique_key` lies in; a run's rows fill its partitions
    whole) and a run overwrites the partitions it writes (insert_overwrite, dynamic). -#}
{% macro replace_by_key(unique_key, partition_by) -%}
    {{ return(adapter.dispatch('replace_by_key', 'usage_to_cash')(unique_key, partition_by)) }}
{%- endmacro %}

{% macro default__replace_by_key(unique_key, partition_by) -%}
    {{ return({'incremental_strategy': 'delete+insert', 'unique_key': unique_key}) }}
{%- endmacro %}

{% macro spark__replace_by_key(unique_key, partition_by) -%}
    {{ return({'incremental_strategy': 'insert_overwrite', 'partition_by': partition_by, 'file_format': 'parquet'}) }}
{%- endmacro %}
