{#- Every rejected input row, with its reason and original payload. -#}
select
    cast(system as varchar) as system,
    cast(source_table as varchar) as source_table,
    cast(file_name as varchar) as file_name,
    cast(line_number as bigint) as line_number,
    cast(batch_id as varchar) as batch_id,
    cast('quarantined' as varchar) as status,
    cast(reason_code as varchar) as reason_code,
    cast(reason_class as varchar) as reason_class,
    cast(reason_detail as varchar) as reason_detail,
    cast(payload as varchar) as payload,
    cast(landed_at as timestamp) as landed_at
from {{ ref('stg_landing__quarantine_rows') }}
