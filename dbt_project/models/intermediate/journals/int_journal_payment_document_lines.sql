{#- The journal source lines of the payment documents (doc block journal_rules): the amount of
    each succeeded charge and succeeded refund, and the processor fee of its balance transaction
    (settlement currency; lineage: the balance transaction's batch), linked to the invoice paid.
    A payment's line also carries its posting period and its invoice's, for realized FX. -#}
with

-- the invoices that have a journal (int_journal_billing_document_lines), one row each
invoices as (
    select
        source_id as invoice_id,
        business_transaction_id,
        posting_fiscal_period
    from {{ ref('int_journal_billing_document_lines') }}
    where source_type = 'invoice' and amount_source = 'document_total'
),

documents as (
    select
        'payment' as source_type,
        p.payment_id as source_id,
        {{ u2c_external_id('invoice', 'p.invoice_id') }} as related_external_id,
        p.payment_date as document_date,
        p.posting_fiscal_period,
        p.external_id,
        p.invoice_id,
        p.amount,
        p.balance_transaction_id,
        p.settlement_currency,
        p.fee,
        {{ journal_document_columns('p') }}
    from {{ ref('payments') }} as p
    where p.charge_status = 'succeeded'
    union all
    select
        'refund' as source_type,
        r.refund_id as source_id,
        {{ u2c_external_id('payment', 'r.payment_id') }} as related_external_id,
        r.refund_date as document_date,
        r.posting_fiscal_period,
        r.external_id,
        r.invoice_id,
        r.amount,
        r.balance_transaction_id,
        r.settlement_currency,
        r.fee,
        {{ journal_document_columns('r') }}
    from {{ ref('refunds') }} as r
    where r.refund_status = 'succeeded'
),

linked as (
    select
        d.*,
        i.business_transaction_id,
        i.posting_fiscal_period as invoice_posting_fiscal_period
    from documents as d
    left join invoices as i on d.invoice_id = i.invoice_id
),

-- noqa: disable=AM07
balance_transactions as (
    select
        balance_transaction_id,
        batch_id
    from {{ ref('stg_billing__balance_transactions') }}
)

-- each part has the journal source line columns it knows, the others null (in one column order:
-- Spark SQL has no union by name)
select
    d.source_type,
    'document_total' as amount_source,
    d.external_id,
    d.source_id,
    d.invoice_id,
    d.related_external_id,
    d.amount,
    d.document_date,
    d.business_transaction_id,
    d.posting_fiscal_period,
    d.invoice_posting_fiscal_period,
    {{ journal_document_columns('d') }},
    cast(null as string) as journal_key,
    cast(null as string) as source_line_id
from linked as d
union all
-- the fee journal (U2C-FEE-<balance transaction>) relates to the charge or refund it is taken on
select
    'processor_fee' as source_type,
    'document_fee' as amount_source,
    cast(null as string) as external_id,
    d.source_id,
    d.invoice_id,
    d.external_id as related_external_id,
    d.fee as amount,
    d.document_date,
    d.business_transaction_id,
    cast(null as string) as posting_fiscal_period,
    cast(null as string) as invoice_posting_fiscal_period,
    {{ journal_document_columns('d', exclude=['currency', 'batch_id']) }},
    d.settlement_currency as currency,
    coalesce(b.batch_id, d.batch_id) as batch_id,
    d.balance_transaction_id as journal_key,
    d.balance_transaction_id as source_line_id
from linked as d
left join balance_transactions as b on d.balance_transaction_id = b.balance_transaction_id
where d.balance_transaction_id is not null and d.fee <> 0
