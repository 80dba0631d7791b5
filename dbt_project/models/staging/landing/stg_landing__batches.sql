with

source as (
    select * from {{ source('landing', 'batches') }}
),

renamed as (
    select
        {{ landing_batch_identity() }},
        file_sha256,
        rows_read,
        rows_landed,
        rows_quarantined,
        file_delivered_at,
        landed_at
    from source
)

select * from renamed
