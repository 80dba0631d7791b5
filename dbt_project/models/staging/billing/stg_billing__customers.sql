with

source as (
    {{ latest_delivery("select * from " ~ source('billing', 'customers'), ['id']) }}
),

renamed as (
    select
        id as customer_id,
        created as created_at,
        name as customer_name,
        email,
        upper(currency) as currency,
        address_country,
        metadata_crm_account_id as crm_account_id,
        cast(metadata_netsuite_customer_id as bigint) as netsuite_customer_id,
        metadata,
        {{ landing_lineage() }}
    from source
)

select * from renamed
