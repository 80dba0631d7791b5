with

source as (
    {{ latest_delivery("select * from " ~ source('erp', 'currency'), ['id'], 'is_deleted', sync_markers=true) }}
),

renamed as (
    select
        id as currency_id,
        name as currency_name,
        upper(symbol) as currency,
        currencyprecision as currency_precision,
        isbasecurrency as is_base_currency,
        exchangerate as exchange_rate,
        batch_id,
        landed_at
    from source
)

select * from renamed
