with

source as (
    {{ latest_delivery("select * from " ~ source('erp', 'customer'), ['id'], 'is_deleted', sync_markers=true) }}
),

renamed as (
    select
        id as netsuite_customer_id,
        entityid as entity_code,
        companyname as company_name,
        currency as currency_id,
        subsidiary as subsidiary_id,
        externalid as crm_account_id,
        batch_id,
        landed_at
    from source
)

select * from renamed
