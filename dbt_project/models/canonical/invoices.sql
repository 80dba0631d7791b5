{#- One row per Stripe invoice, amounts in major units, with the CRM account, the contract version
    in effect at the end of the invoiced period and the accounting dimensions
    (int_document_legal_entities), and the four clocks:
    created/finalized (occurred), landed_at, billing_period and the ERP posting date and period
    (a posting dated in a closed period goes to the first open period and says so). -#}
with

invoices as (
    select
        invoice_id,
        invoice_number,
        customer_id,
        subscription_id,
        invoice_status,
        billing_reason,
        currency,
        subtotal_minor,
        tax_minor,
        total_minor,
        amount_due_minor,
        amount_paid_minor,
        amount_remaining_minor,
        period_start,
        period_end,
        created_at,
        finalized_at,
        paid_at,
        voided_at,
        layout,
        batch_id,
        landed_at
    from {{ ref('stg_billing__invoices') }}
),

joined as (
    select
        i.*,
        cast(i.finalized_at as date) as posting_date,
        c.minor_units,
        c.stripe_minor_units,
        e.account_id,
        e.contract_id,
        e.contract_version,
        e.business_transaction_id,
        e.legal_entity,
        e.region,
        e.functional_currency
    from invoices as i
    {{ join_currency('i.currency', 'c') }}
    {{ join_document_entity('invoice', 'i.invoice_id', 'e') }}
)

select
    cast(j.invoice_id as string) as invoice_id,
    cast(j.invoice_number as string) as invoice_number,
    cast(j.customer_id as string) as customer_id,
    cast(j.account_id as string) as account_id,
    cast(j.subscription_id as string) as subscription_id,
    cast(j.contract_id as string) as contract_id,
    cast(j.contract_version as integer) as contract_version,
    cast(j.business_transaction_id as string) as business_transaction_id,
    cast(j.invoice_status as string) as invoice_status,
    cast(j.billing_reason as string) as billing_reason,
    cast(j.currency as string) as currency,
    cast(j.minor_units as integer) as minor_units,
    cast({{ minor_to_major('j.subtotal_minor', 'j.stripe_minor_units') }} as decimal(38, 9)) as subtotal,
    cast({{ minor_to_major('j.tax_minor', 'j.stripe_minor_units') }} as decimal(38, 9)) as tax,
    cast({{ minor_to_major('j.total_minor', 'j.stripe_minor_units') }} as decimal(38, 9)) as total,
    cast(
        {{ minor_to_major('j.amount_due_minor', 'j.stripe_minor_units') }} as decimal(38, 9)
    ) as amount_due,
    cast(
        {{ minor_to_major('j.amount_paid_minor', 'j.stripe_minor_units') }} as decimal(38, 9)
    ) as amount_paid,
    cast(
        {{ minor_to_major('j.amount_remaining_minor', 'j.stripe_minor_units') }} as decimal(38, 9)
    ) as amount_remaining,
    cast({{ period_key('j.period_start') }} as string) as billing_period,
    cast(j.period_start as timestamp) as period_start,
    cast(j.period_end as timestamp) as period_end,
    cast(j.created_at as timestamp) as created_at,
    cast(j.finalized_at as timestamp) as finalized_at,
    cast(j.paid_at as timestamp) as paid_at,
    cast(j.voided_at as timestamp) as voided_at,
    cast(j.posting_date as date) as posting_date,
    cast(f.posting_fiscal_period as string) as posting_fiscal_period,
    cast({{ is_posting_period_moved('f') }} as boolean) as is_posting_period_moved,
    cast(j.legal_entity as string) as legal_entity,
    cast(j.region as string) as region,
    cast(j.functional_currency as string) as functional_currency,
    cast({{ u2c_external_id('invoice', 'j.invoice_id') }} as string) as external_id,
    cast(j.layout as string) as layout,
    cast(j.batch_id as string) as batch_id,
    cast(j.landed_at as timestamp) as landed_at
from joined as j
{{ join_posting_period('j.posting_date', 'f') }}
