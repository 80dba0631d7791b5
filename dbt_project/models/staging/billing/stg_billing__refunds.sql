with

source as (
    {{ latest_delivery("select * from " ~ source('billing', 'refunds'), ['id']) }}
),

renamed as (
    select
        id as refund_id,
        created as created_at,
        amount as amount_minor,
        upper(currency) as currency,
        charge as charge_id,
        balance_transaction as balance_transaction_id,
        status as refund_status,
        reason,
        {{ landing_lineage() }}
    from source
)

select * from renamed
