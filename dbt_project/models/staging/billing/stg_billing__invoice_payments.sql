with

source as (
    {{ latest_delivery("select * from " ~ source('billing', 'invoice_payments'), ['id']) }}
),

renamed as (
    select
        id as invoice_payment_id,
        created as created_at,
        invoice as invoice_id,
        upper(currency) as currency,
        amount_requested as amount_requested_minor,
        amount_paid as amount_paid_minor,
        is_default,
        status as invoice_payment_status,
        payment_type,
        payment_intent as payment_intent_id,
        charge as charge_id,
        payment_record as payment_record_id,
        status_transitions_paid_at as paid_at,
        status_transitions_canceled_at as canceled_at,
        {{ landing_lineage() }}
    from source
)

select * from renamed
