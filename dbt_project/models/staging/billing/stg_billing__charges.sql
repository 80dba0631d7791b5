with

source as (
    {{ latest_delivery("select * from " ~ source('billing', 'charges'), ['id']) }}
),

renamed as (
    select
        id as charge_id,
        created as created_at,
        amount as amount_minor,
        amount_captured as amount_captured_minor,
        amount_refunded as amount_refunded_minor,
        upper(currency) as currency,
        customer as customer_id,
        invoice as invoice_id,
        payment_intent as payment_intent_id,
        balance_transaction as balance_transaction_id,
        status as charge_status,
        paid as is_paid,
        refunded as is_refunded,
        disputed as is_disputed,
        {{ landing_lineage() }}
    from source
)

select * from renamed
