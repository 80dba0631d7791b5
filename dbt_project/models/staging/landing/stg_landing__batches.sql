with

source as (
    select * from {{ source('landing', 'batches') }}
),

renamed as (
    select
        batch_id,
        system,
        source_table,
        file_name,
        file_sha256,
        rows_read,
        rows_landed,
        rows_quarantined,
        file_delivered_at,
        landed_at
    from source
)

select * from renamed
