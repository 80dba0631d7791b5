{#- Every rejected input row, with its reason and original payload. -#}
select
    cast(system as string) as system,
    cast(source_table as string) as source_table,
    cast(file_name as string) as file_name,
    cast(line_number as bigint) as line_number,
    cast(batch_id as string) as batch_id,
    cast('quarantined' as string) as status,
    cast(reason_code as string) as reason_code,
    cast(reason_class as string) as reason_class,
    cast(reason_detail as string) as reason_detail,
    cast(payload as string) as payload,
    cast(landed_at as timestamp) as landed_at
from {{ ref('stg_landing__quarantine_rows') }}
