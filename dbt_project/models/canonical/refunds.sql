{#- One row per Stripe refund, linked to the charge it returns, that charge's invoice and the
    credit note that names it, settled from its balance transaction (amounts signed as Stripe
    gives them: a refund's settlement amount is negative). Posts at the refund date, moved to the
    first open period when that one is closed. -#}
with

refunds as (
    select
        refund_id,
        charge_id,
        currency,
        amount_minor,
        refund_status,
        reason,
        balance_transaction_id,
        created_at,
        cast(created_at as date) as refund_date,
        batch_id,
        landed_at
    from {{ ref('stg_billing__refunds') }}
),

credit_notes as (
    -- a credit note names its refunds in refunds[] (API 2025-03-31), earlier in `refund`
    select
        refund_id,
        min(credit_note_id) as credit_note_id
    from (
        select
            refund_id,
            credit_note_id
        from {{ ref('stg_billing__credit_notes') }}
        union all
        select
            refund_id,
            credit_note_id
        from {{ ref('stg_billing__credit_note_refunds') }}
    ) as named
    where refund_id is not null
    group by refund_id
)

select
    cast(r.refund_id as string) as refund_id,
    cast(r.charge_id as string) as payment_id,
    cast(e.invoice_id as string) as invoice_id,
    cast(cn.credit_note_id as string) as credit_note_id,
    cast(e.customer_id as string) as customer_id,
    cast(e.account_id as string) as account_id,
    cast(r.currency as string) as currency,
    cast({{ minor_to_major('r.amount_minor', 'c.stripe_minor_units') }} as decimal(38, 9)) as amount,
    cast(r.refund_status as string) as refund_status,
    cast(r.reason as string) as reason,
    cast(r.created_at as timestamp) as created_at,
    cast(r.refund_date as date) as refund_date,
    cast(e.billing_period as string) as billing_period,
    cast(f.posting_fiscal_period as string) as posting_fiscal_period,
    cast({{ is_posting_period_moved('f') }} as boolean) as is_posting_period_moved,
    cast(r.balance_transaction_id as string) as balance_transaction_id,
    {{ settlement_columns('b') }},
    {{ document_entity_columns('e') }},
    cast({{ u2c_external_id('refund', 'r.refund_id') }} as string) as external_id,
    cast(r.batch_id as string) as batch_id,
    cast(r.landed_at as timestamp) as landed_at
from refunds as r
left join credit_notes as cn on r.refund_id = cn.refund_id
{{ join_currency('r.currency', 'c') }}
{{ join_settlement('r.balance_transaction_id', 'b') }}
{{ join_document_entity('refund', 'r.refund_id', 'e') }}
{{ join_posting_period('r.refund_date', 'f') }}
