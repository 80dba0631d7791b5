{#- One row per Stripe credit note, amounts in major units, with the credited invoice's billing
    period and accounting dimensions. A credit note posts at its effective date; when that falls
    in a closed fiscal period it posts to the first open period instead (is_posting_period_moved). -#}
with

credit_notes as (
    select
        credit_note_id,
        credit_note_number,
        invoice_id,
        customer_id,
        currency,
        amount_minor,
        subtotal_minor,
        total_minor,
        reason,
        credit_note_status,
        credit_note_type,
        memo,
        refund_id,
        created_at,
        effective_at,
        voided_at,
        cast(effective_at as date) as effective_date,
        batch_id,
        landed_at
    from {{ ref('stg_billing__credit_notes') }}
)

select
    cast(n.credit_note_id as string) as credit_note_id,
    cast(n.credit_note_number as string) as credit_note_number,
    cast(n.invoice_id as string) as invoice_id,
    cast(n.customer_id as string) as customer_id,
    cast(e.account_id as string) as account_id,
    cast(n.currency as string) as currency,
    cast({{ minor_to_major('n.amount_minor', 'c.stripe_minor_units') }} as decimal(38, 9)) as amount,
    cast({{ minor_to_major('n.subtotal_minor', 'c.stripe_minor_units') }} as decimal(38, 9)) as subtotal,
    cast(
        {{ minor_to_major('n.total_minor - n.subtotal_minor', 'c.stripe_minor_units') }}
        as decimal(38, 9)
    ) as tax,
    cast({{ minor_to_major('n.total_minor', 'c.stripe_minor_units') }} as decimal(38, 9)) as total,
    cast(n.reason as string) as reason,
    cast(n.credit_note_status as string) as credit_note_status,
    cast(n.credit_note_type as string) as credit_note_type,
    cast(n.memo as string) as memo,
    cast(n.refund_id as string) as refund_id,
    cast(n.created_at as timestamp) as created_at,
    cast(n.effective_at as timestamp) as effective_at,
    cast(n.effective_date as date) as effective_date,
    cast(n.voided_at as timestamp) as voided_at,
    cast(e.billing_period as string) as billing_period,
    cast(f.fiscal_period as string) as fiscal_period,
    cast(f.posting_fiscal_period as string) as posting_fiscal_period,
    cast({{ is_posting_period_moved('f') }} as boolean) as is_posting_period_moved,
    {{ document_entity_columns('e') }},
    cast({{ u2c_external_id('credit_note', 'n.credit_note_id') }} as string) as external_id,
    cast(n.batch_id as string) as batch_id,
    cast(n.landed_at as timestamp) as landed_at
from credit_notes as n
{{ join_currency('n.currency', 'c') }}
{{ join_document_entity('credit_note', 'n.credit_note_id', 'e') }}
{{ join_posting_period('n.effective_date', 'f') }}
