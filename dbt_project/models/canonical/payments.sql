{#- One row per Stripe charge (a card payment of an invoice), in the charge currency and, from its
    balance transaction, settled in the legal entity's settlement currency with Stripe's fee.
    The invoice is the charge's own or, from API 2025-03-31 on, the one its invoice payment names
    (int_billing_charges_linked). Posts at the payment date, moved to the first open period when
    that one is closed. -#}
with

charges as (
    select
        *,
        cast(created_at as date) as payment_date
    from {{ ref('int_billing_charges_linked') }}
)

select
    cast(p.charge_id as string) as payment_id,
    cast(p.invoice_id as string) as invoice_id,
    cast(p.customer_id as string) as customer_id,
    cast(e.account_id as string) as account_id,
    cast(p.currency as string) as currency,
    cast({{ minor_to_major('p.amount_minor', 'c.stripe_minor_units') }} as decimal(38, 9)) as amount,
    cast(
        {{ minor_to_major('p.amount_captured_minor', 'c.stripe_minor_units') }} as decimal(38, 9)
    ) as amount_captured,
    cast(
        {{ minor_to_major('p.amount_refunded_minor', 'c.stripe_minor_units') }} as decimal(38, 9)
    ) as amount_refunded,
    cast(p.charge_status as string) as charge_status,
    cast(p.is_paid as boolean) as is_paid,
    cast(p.is_refunded as boolean) as is_refunded,
    cast(p.is_disputed as boolean) as is_disputed,
    cast(p.created_at as timestamp) as created_at,
    cast(p.payment_date as date) as payment_date,
    cast(e.billing_period as string) as billing_period,
    cast(f.posting_fiscal_period as string) as posting_fiscal_period,
    cast({{ is_posting_period_moved('f') }} as boolean) as is_posting_period_moved,
    cast(p.balance_transaction_id as string) as balance_transaction_id,
    {{ settlement_columns('b') }},
    {{ document_entity_columns('e') }},
    cast({{ u2c_external_id('payment', 'p.charge_id') }} as string) as external_id,
    cast(p.batch_id as string) as batch_id,
    cast(p.landed_at as timestamp) as landed_at
from charges as p
{{ join_currency('p.currency', 'c') }}
{{ join_settlement('p.balance_transaction_id', 'b') }}
{{ join_document_entity('payment', 'p.charge_id', 'e') }}
{{ join_posting_period('p.payment_date', 'f') }}
