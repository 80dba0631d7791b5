with

source as (
    {{ latest_delivery("select * from " ~ source('billing', 'subscriptions'), ['id']) }}
),

renamed as (
    select
        id as subscription_id,
        created as created_at,
        customer as customer_id,
        status as subscription_status,
        upper(currency) as currency,
        start_date as started_at,
        billing_cycle_anchor as billing_cycle_anchor_at,
        cancel_at,
        canceled_at,
        current_period_start,
        current_period_end,
        metadata_crm_contract_id as crm_contract_id,
        cast(metadata_contract_version as integer) as contract_version,
        metadata,
        {{ landing_lineage() }}
    from source
)

select * from renamed
