{#- Billing <-> ERP receivable, matched by External ID. One row per billing document (finalized
    invoice that is not void; issued credit note) and one per usage-to-cash external id on an
    ERP journal that no billing document has (an invoice or credit note nobody issued, or a cash
    journal for a charge or refund that did not succeed). The billed total is compared with the
    receivable posting of the journal(s) carrying the document's external id: the net debit on
    the AR account for an invoice, the net credit for a credit note, in transaction and
    functional currency. Status, first that applies:
      unknown_in_billing  the ERP external id has no billing document
      missing_in_erp      no posted journal carries the document's external id
      duplicate_in_erp    more than one ERP transaction carries it
      amount_mismatch     billed minus posted is beyond tolerance, in transaction or functional
                          currency (rec_billing_erp_tolerance_abs / _rel)
      matched             otherwise -#}

with

billing as (
    select
        {{ rec_document_ids() }},
        customer_id,
        account_id,
        netsuite_customer_id,
        {{ rec_document_posting() }}
    from {{ ref('int_billing_documents_converted') }}
),

erp as (
    select
        external_id,
        document_type,
        document_id,
        transaction_count,
        first_transaction_id,
        transaction_ids,
        fiscal_period,
        legal_entity,
        currency,
        functional_currency,
        netsuite_customer_id,
        account_id,
        -- the receivable posting: a debit for an invoice or a refund, a credit otherwise
        case
            when document_type in ('invoice', 'refund') then receivable_net_debit
            else -receivable_net_debit
        end as amount,
        case
            when document_type in ('invoice', 'refund') then receivable_net_debit_functional
            else -receivable_net_debit_functional
        end as amount_functional
    from {{ ref('int_erp_documents_summarized') }}
),

customers as (
    select
        account_id,
        stripe_customer_id
    from {{ ref('customers') }}
),

billed as (
    select
        b.document_id,
        b.document_type,
        b.legal_entity,
        b.billing_period,
        b.fiscal_period,
        e.fiscal_period as erp_fiscal_period,
        b.is_posting_period_moved,
        b.document_date,
        b.account_id,
        b.customer_id,
        b.netsuite_customer_id,
        b.currency,
        b.functional_currency,
        b.exchange_rate,
        b.amount as billing_amount,
        b.amount_functional as billing_amount_functional,
        coalesce(e.amount, 0) as erp_amount,
        coalesce(e.amount_functional, 0) as erp_amount_functional,
        b.invoice_id,
        b.credit_note_id,
        b.external_id,
        {{ rec_erp_match('e') }},
        true as is_in_billing
    from billing as b
    left join erp as e on b.external_id = e.external_id
    where b.document_type in ('invoice', 'credit_note')
),

erp_only as (
    select
        e.document_id,
        e.document_type,
        e.legal_entity,
        cast(null as string) as billing_period,
        e.fiscal_period,
        e.fiscal_period as erp_fiscal_period,
        cast(null as boolean) as is_posting_period_moved,
        cast(null as date) as document_date,
        e.account_id,
        c.stripe_customer_id as customer_id,
        e.netsuite_customer_id,
        e.currency,
        e.functional_currency,
        cast(null as decimal(38, 12)) as exchange_rate,
        0 as billing_amount,
        0 as billing_amount_functional,
        e.amount as erp_amount,
        e.amount_functional as erp_amount_functional,
        cast(null as string) as invoice_id,
        cast(null as string) as credit_note_id,
        e.external_id,
        e.first_transaction_id as erp_transaction_id,
        e.transaction_ids as erp_transaction_ids,
        e.transaction_count as erp_transaction_count,
        false as is_in_billing
    from erp as e
    left join customers as c on e.account_id = c.account_id
    where not exists (
        select 1 from billing as b
        where b.external_id = e.external_id
    )
),

documents as (
    select * from billed
    union all
    select * from erp_only
),

compared as (
    {{ rec_with_variances('documents') }}
),

classified as (
    select
        *,
        case
            when not is_in_billing then 'unknown_in_billing'
            when erp_transaction_count = 0 then 'missing_in_erp'
            when erp_transaction_count > 1 then 'duplicate_in_erp'
            {{ rec_amount_status('billing_erp') }}
        end as status
    from compared
)

select
    cast(document_id as string) as document_id,
    cast(document_type as string) as document_type,
    {{ rec_status_columns() }},
    cast(document_date as date) as document_date,
    cast(account_id as string) as account_id,
    cast(customer_id as string) as customer_id,
    cast(netsuite_customer_id as bigint) as netsuite_customer_id,
    {{ rec_amount_columns() }},
    {{ rec_variance_columns() }},
    cast(invoice_id as string) as invoice_id,
    cast(credit_note_id as string) as credit_note_id,
    {{ rec_erp_transaction_columns() }}
from classified
