{#- Each Stripe charge with the invoice it pays. Before API 2025-03-31 the charge names its
    invoice (`invoice`); since then it does not, and an invoice payment links the two: by the
    charge itself (payment type charge) or by the charge's PaymentIntent (type payment_intent).
    A canceled invoice payment links nothing. invoice_link says where the link came from. -#}
with

charges as (
    select
        charge_id,
        invoice_id,
        customer_id,
        currency,
        amount_minor,
        amount_captured_minor,
        amount_refunded_minor,
        charge_status,
        is_paid,
        is_refunded,
        is_disputed,
        payment_intent_id,
        balance_transaction_id,
        created_at,
        batch_id,
        landed_at
    from {{ ref('stg_billing__charges') }}
),

invoice_payments as (
    select
        invoice_id,
        charge_id,
        payment_intent_id
    from {{ ref('stg_billing__invoice_payments') }}
    where invoice_payment_status <> 'canceled'
),

by_charge as (
    select
        charge_id,
        min(invoice_id) as invoice_id
    from invoice_payments
    where charge_id is not null
    group by charge_id
),

by_payment_intent as (
    select
        payment_intent_id,
        min(invoice_id) as invoice_id
    from invoice_payments
    where payment_intent_id is not null
    group by payment_intent_id
)

select
    c.charge_id,
    coalesce(c.invoice_id, bc.invoice_id, bi.invoice_id) as invoice_id,
    case
        when c.invoice_id is not null then 'charge'
        when bc.invoice_id is not null then 'invoice_payment_charge'
        when bi.invoice_id is not null then 'invoice_payment_intent'
    end as invoice_link,
    c.customer_id,
    c.currency,
    c.amount_minor,
    c.amount_captured_minor,
    c.amount_refunded_minor,
    c.charge_status,
    c.is_paid,
    c.is_refunded,
    c.is_disputed,
    c.payment_intent_id,
    c.balance_transaction_id,
    c.created_at,
    c.batch_id,
    c.landed_at
from charges as c
left join by_charge as bc on c.charge_id = bc.charge_id
left join by_payment_intent as bi on c.payment_intent_id = bi.payment_intent_id
