with

source as (
    {{ latest_delivery("select * from " ~ source('billing', 'balance_transactions'), ['id']) }}
),

renamed as (
    select
        id as balance_transaction_id,
        created as created_at,
        amount as amount_minor,
        fee as fee_minor,
        net as net_minor,
        upper(currency) as currency,
        exchange_rate,
        available_on,
        reporting_category,
        source as source_id,
        status as balance_transaction_status,
        type as balance_transaction_type,
        {{ landing_lineage() }}
    from source
)

select * from renamed
