with

source as (
    {{ latest_delivery("select * from " ~ source('crm', 'contract_amendments'), ['amendment_id']) }}
),

renamed as (
    select
        amendment_id,
        contract_id,
        business_transaction_id,
        contract_version,
        amendment_type,
        effective_from,
        effective_to,
        plan_code,
        platform_fee,
        minimum_commitment,
        upper(currency) as currency,
        legal_entity as legal_entity_code,
        region,
        signed_at,
        batch_id,
        landed_at
    from source
)

select * from renamed
