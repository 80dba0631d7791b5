{#- The journal source lines of the payment documents (doc block journal_rules): the amount of
    each succeeded charge and succeeded refund, and the processor fee of its balance transaction
    (settlement currency; lineage: the balance transaction's batch), linked to the invoice paid. -#}
with

invoices as (
    select
        invoice_id,
        business_transaction_id
    from {{ ref('invoices') }}
    where invoice_status not in ('draft', 'void') and finalized_at is not null
),

documents as (
    select
        'payment' as source_type,
        p.external_id,
        p.payment_id as source_id,
        p.invoice_id,
        {{ u2c_external_id('invoice', 'p.invoice_id') }} as related_external_id,
        p.customer_id,
        p.account_id,
        i.business_transaction_id,
        p.legal_entity,
        p.functional_currency,
        p.currency,
        p.amount,
        p.payment_date as document_date,
        p.balance_transaction_id,
        p.settlement_currency,
        p.fee,
        p.batch_id
    from {{ ref('payments') }} as p
    left join invoices as i on p.invoice_id = i.invoice_id
    where p.charge_status = 'succeeded'
    union all
    select
        'refund' as source_type,
        r.external_id,
        r.refund_id as source_id,
        r.invoice_id,
        {{ u2c_external_id('payment', 'r.payment_id') }} as related_external_id,
        r.customer_id,
        r.account_id,
        i.business_transaction_id,
        r.legal_entity,
        r.functional_currency,
        r.currency,
        r.amount,
        r.refund_date as document_date,
        r.balance_transaction_id,
        r.settlement_currency,
        r.fee,
        r.batch_id
    from {{ ref('refunds') }} as r
    left join invoices as i on r.invoice_id = i.invoice_id
    where r.refund_status = 'succeeded'
),

balance_transactions as (
    select
        balance_transaction_id,
        batch_id
    from {{ ref('stg_billing__balance_transactions') }}
)

-- by name: each part has the journal source line columns it knows, the others are null
-- noqa: disable=AM07
select
    source_type,
    'document_total' as amount_source,
    external_id,
    source_id,
    invoice_id,
    related_external_id,
    currency,
    amount,
    legal_entity,
    functional_currency,
    document_date,
    customer_id,
    account_id,
    business_transaction_id,
    batch_id
from documents
union all by name
-- the fee journal (U2C-FEE-<balance transaction>) relates to the charge or refund it is taken on
select
    'processor_fee' as source_type,
    'document_fee' as amount_source,
    d.balance_transaction_id as journal_key,
    d.source_id,
    d.balance_transaction_id as source_line_id,
    d.invoice_id,
    d.external_id as related_external_id,
    d.settlement_currency as currency,
    d.fee as amount,
    d.legal_entity,
    d.functional_currency,
    d.document_date,
    d.customer_id,
    d.account_id,
    d.business_transaction_id,
    coalesce(b.batch_id, d.batch_id) as batch_id
from documents as d
left join balance_transactions as b on d.balance_transaction_id = b.balance_transaction_id
where d.balance_transaction_id is not null and d.fee <> 0
