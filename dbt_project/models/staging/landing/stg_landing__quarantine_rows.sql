with

source as (
    select * from {{ source('landing', 'quarantine') }}
),

renamed as (
    select
        batch_id,
        system,
        source_table,
        file_name,
        line_number,
        reason_code,
        reason_class,
        reason_detail,
        payload,
        landed_at
    from source
)

select * from renamed
