with

source as (
    select * from {{ source('usage', 'events') }}
),

renamed as (
    select
        id as event_id,
        source as event_source,
        type as event_type,
        subject,
        time as occurred_at,
        data_metric as metric,
        data_quantity as quantity,
        data_subscription as subscription_id,
        data_customer as customer_id,
        data_plan_tier as plan_tier,
        data_region as region,
        data_contract_version as contract_version,
        payload_sha256,
        batch_id,
        file_name,
        line_number,
        landed_at
    from source
)

select * from renamed
