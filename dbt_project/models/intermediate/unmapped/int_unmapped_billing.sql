{#- Billing documents naming a record the billing extract does not hold (a credit note whose invoice
    is not in it, a partial delivery): one row per record and reason; unmapped_records lists them
    all. -#}
with

stripe_customers as (select * from {{ ref('stg_billing__customers') }}),

stripe_invoices as (select * from {{ ref('stg_billing__invoices') }}),

stripe_credit_notes as (select * from {{ ref('stg_billing__credit_notes') }}),

stripe_charges as (select * from {{ ref('int_billing_charges_linked') }}),

stripe_refunds as (select * from {{ ref('stg_billing__refunds') }}),

stripe_credit_note_refunds as (select * from {{ ref('stg_billing__credit_note_refunds') }})

select
    'billing' as system,
    'invoice' as record_type,
    i.invoice_id as record_id,
    'invoice_customer_not_in_billing' as reason,
    'customer ' || i.customer_id || ' is not in the billing extract' as detail
from stripe_invoices as i
where
    not exists (
        select 1 from stripe_customers as sc
        where sc.customer_id = i.customer_id
    )

union all

select
    'billing' as system,
    'credit_note' as record_type,
    cn.credit_note_id as record_id,
    'credit_note_invoice_not_in_billing' as reason,
    'invoice ' || cn.invoice_id || ' is not in the billing extract' as detail
from stripe_credit_notes as cn
where
    not exists (
        select 1 from stripe_invoices as i
        where i.invoice_id = cn.invoice_id
    )

union all

select
    'billing' as system,
    'charge' as record_type,
    ch.charge_id as record_id,
    'charge_invoice_not_in_billing' as reason,
    'invoice ' || ch.invoice_id || ' (' || ch.invoice_link || ') is not in the billing extract' as detail
from stripe_charges as ch
where
    ch.invoice_id is not null
    and not exists (
        select 1 from stripe_invoices as i
        where i.invoice_id = ch.invoice_id
    )

union all

select
    'billing' as system,
    'refund' as record_type,
    r.refund_id as record_id,
    'refund_charge_not_in_billing' as reason,
    'charge ' || r.charge_id || ' is not in the billing extract' as detail
from stripe_refunds as r
where
    not exists (
        select 1 from stripe_charges as ch
        where ch.charge_id = r.charge_id
    )

union all

select
    'billing' as system,
    'credit_note' as record_type,
    r.credit_note_id as record_id,
    'credit_note_refund_not_in_billing' as reason,
    'refund ' || r.refund_id || ' is not in the billing extract' as detail
from stripe_credit_note_refunds as r
where
    r.refund_id is not null
    and not exists (
        select 1 from stripe_refunds as sr
        where sr.refund_id = r.refund_id
    )
