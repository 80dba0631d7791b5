{#- The landing ledger for analysts: one row per batch; rows_read = rows_landed + rows_quarantined. -#}
select
    cast(system as string) as system,
    cast(source_table as string) as source_table,
    cast(file_name as string) as file_name,
    cast(file_sha256 as string) as file_sha256,
    cast(batch_id as string) as batch_id,
    cast(rows_read as bigint) as rows_read,
    cast(rows_landed as bigint) as rows_landed,
    cast(rows_quarantined as bigint) as rows_quarantined,
    cast(file_delivered_at as timestamp) as file_delivered_at,
    cast(landed_at as timestamp) as landed_at
from {{ ref('stg_landing__batches') }}
