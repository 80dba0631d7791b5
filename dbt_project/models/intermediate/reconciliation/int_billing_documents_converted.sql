{#- The billing side of the reconciliations: every document usage-to-cash exports to the ERP
    (finalized invoices that are not void, issued credit notes, succeeded charges and refunds),
    with the external id its journal carries, its posting period and its amount converted into
    the legal entity's functional currency the way the ERP converts a journal line: at the
    posting period's average consolidated rate (or triangulated through the parent currency,
    rounded once: int_exchange_rates_by_period), rounded half-even to the functional currency's
    minor unit (null when the ERP has no rate path), exactly (decimals scaled by powers of ten, no division, no float).
    A view in the intermediate schema: shared by the reconciliation marts, not published. -#}
{{ config(materialized='view', schema='intermediate') }}

with

invoices as (
    select
        'invoice' as document_type,
        invoice_id as document_id,
        external_id,
        invoice_id,
        cast(null as string) as credit_note_id,
        cast(null as string) as charge_id,
        cast(null as string) as refund_id,
        customer_id,
        account_id,
        legal_entity,
        billing_period,
        posting_fiscal_period as fiscal_period,
        is_posting_period_moved,
        posting_date as document_date,
        currency,
        functional_currency,
        total as amount
    from {{ ref('invoices') }}
    where
        invoice_status not in ('draft', 'void')
        and finalized_at is not null
),

credit_notes as (
    select
        'credit_note' as document_type,
        credit_note_id as document_id,
        external_id,
        invoice_id,
        credit_note_id,
        cast(null as string) as charge_id,
        refund_id,
        customer_id,
        account_id,
        legal_entity,
        billing_period,
        posting_fiscal_period as fiscal_period,
        is_posting_period_moved,
        effective_date as document_date,
        currency,
        functional_currency,
        total as amount
    from {{ ref('credit_notes') }}
    where credit_note_status = 'issued'
),

charges as (
    select
        'payment' as document_type,
        payment_id as document_id,
        external_id,
        invoice_id,
        cast(null as string) as credit_note_id,
        payment_id as charge_id,
        cast(null as string) as refund_id,
        customer_id,
        account_id,
        legal_entity,
        billing_period,
        posting_fiscal_period as fiscal_period,
        is_posting_period_moved,
        payment_date as document_date,
        currency,
        functional_currency,
        amount
    from {{ ref('payments') }}
    where charge_status = 'succeeded'
),

refunds as (
    select
        'refund' as document_type,
        refund_id as document_id,
        external_id,
        invoice_id,
        credit_note_id,
        payment_id as charge_id,
        refund_id,
        customer_id,
        account_id,
        legal_entity,
        billing_period,
        posting_fiscal_period as fiscal_period,
        is_posting_period_moved,
        refund_date as document_date,
        currency,
        functional_currency,
        amount
    from {{ ref('refunds') }}
    where refund_status = 'succeeded'
),

documents as (
    select * from invoices
    union all
    select * from credit_notes
    union all
    select * from charges
    union all
    select * from refunds
),

customers as (
    select
        account_id,
        netsuite_customer_id
    from {{ ref('customers') }}
),

rated as (
    select
        d.*,
        c.netsuite_customer_id,
        {{ rate_path_columns('d.currency', 'd.functional_currency', 'r') }}
    from documents as d
    left join customers as c on d.account_id = c.account_id
    {{ join_rate_path('d.fiscal_period', 'd.currency', 'd.functional_currency', 'r') }}
)

select
    cast(document_type as string) as document_type,
    cast(document_id as string) as document_id,
    cast(external_id as string) as external_id,
    cast(invoice_id as string) as invoice_id,
    cast(credit_note_id as string) as credit_note_id,
    cast(charge_id as string) as charge_id,
    cast(refund_id as string) as refund_id,
    cast(customer_id as string) as customer_id,
    cast(account_id as string) as account_id,
    cast(netsuite_customer_id as bigint) as netsuite_customer_id,
    cast(legal_entity as string) as legal_entity,
    cast(billing_period as string) as billing_period,
    cast(fiscal_period as string) as fiscal_period,
    cast(is_posting_period_moved as boolean) as is_posting_period_moved,
    cast(document_date as date) as document_date,
    cast(currency as string) as currency,
    cast(functional_currency as string) as functional_currency,
    cast(exchange_rate as decimal(38, 12)) as exchange_rate,
    cast(amount as decimal(38, 9)) as amount,
    {{ to_functional('amount') }} as amount_functional
from rated
