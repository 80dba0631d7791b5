with

source as (
    {{ latest_delivery("select * from " ~ source('crm', 'accounts'), ['account_id']) }}
),

renamed as (
    select
        account_id,
        account_name,
        parent_account_id,
        billing_country,
        region,
        legal_entity as legal_entity_code,
        upper(currency) as currency,
        stripe_customer_id,
        netsuite_customer_id,
        created_at,
        batch_id,
        landed_at
    from source
)

select * from renamed
