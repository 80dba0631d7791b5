with

source as (
    select * from {{ source('landing', 'quarantine') }}
),

renamed as (
    select
        {{ landing_batch_identity() }},
        line_number,
        reason_code,
        reason_class,
        reason_detail,
        payload,
        landed_at
    from source
)

select * from renamed
