{#- Adjustments <-> ERP reversal, matched by External ID (U2C-CN-<credit note>). One row per
    issued credit note. The credited total is compared with what its ERP journal(s) reverse:
    the net debit on every line but the receivable one (revenue, deferred revenue, tax and the
    conversion's rounding line), in transaction and functional currency. Status, first that
    applies:
      not_reversed     no posted journal carries the credit note's external id
      amount_mismatch  credited minus reversed is beyond tolerance, in transaction or functional
                       currency (rec_adjustments_erp_tolerance_abs / _rel); a credit note
                       reversed twice lands here
      matched          otherwise -#}

with

credit_notes as (
    select
        {{ rec_document_ids() }},
        refund_id,
        customer_id,
        account_id,
        {{ rec_document_posting() }}
    from {{ ref('int_billing_documents_converted') }}
    where document_type = 'credit_note'
),

erp as (
    select
        external_id,
        transaction_count,
        first_transaction_id,
        transaction_ids,
        fiscal_period,
        other_net_debit,
        other_net_debit_functional
    from {{ ref('int_erp_documents_summarized') }}
    where document_type = 'credit_note'
),

joined as (
    select
        c.document_id as adjustment_id,
        c.document_type as adjustment_type,
        c.legal_entity,
        c.billing_period,
        c.fiscal_period,
        e.fiscal_period as erp_fiscal_period,
        c.is_posting_period_moved,
        c.document_date as adjustment_date,
        c.account_id,
        c.customer_id,
        c.currency,
        c.functional_currency,
        c.exchange_rate,
        c.amount as billing_amount,
        c.amount_functional as billing_amount_functional,
        coalesce(e.other_net_debit, 0) as erp_amount,
        coalesce(e.other_net_debit_functional, 0) as erp_amount_functional,
        c.credit_note_id,
        c.invoice_id,
        c.refund_id,
        c.external_id,
        {{ rec_erp_match('e') }}
    from credit_notes as c
    left join erp as e on c.external_id = e.external_id
),

compared as (
    {{ rec_with_variances('joined') }}
),

classified as (
    select
        *,
        case
            when erp_transaction_count = 0 then 'not_reversed'
            {{ rec_amount_status('adjustments_erp') }}
        end as status
    from compared
)

select
    cast(adjustment_id as string) as adjustment_id,
    cast(adjustment_type as string) as adjustment_type,
    {{ rec_status_columns() }},
    cast(adjustment_date as date) as adjustment_date,
    cast(account_id as string) as account_id,
    cast(customer_id as string) as customer_id,
    {{ rec_amount_columns() }},
    {{ rec_variance_columns() }},
    cast(credit_note_id as string) as credit_note_id,
    cast(invoice_id as string) as invoice_id,
    cast(refund_id as string) as refund_id,
    {{ rec_erp_transaction_columns() }}
from classified
