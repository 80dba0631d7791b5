with

source as (
    {{ latest_delivery("select * from " ~ source('crm', 'contracts'), ['contract_id']) }}
),

renamed as (
    select
        contract_id,
        account_id,
        contract_number,
        status as contract_status,
        start_date,
        end_date,
        upper(currency) as currency,
        legal_entity as legal_entity_code,
        billing_subscription_id as subscription_id,
        signed_at,
        batch_id,
        landed_at
    from source
)

select * from renamed
