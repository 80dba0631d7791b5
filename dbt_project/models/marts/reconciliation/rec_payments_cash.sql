{#- Payments and refunds <-> ERP cash application, matched by External ID (U2C-PAY-<charge>,
    U2C-REF-<refund>). One row per succeeded Stripe charge and per succeeded refund. The ERP
    amount is the receivable side of the cash journal(s): what was credited (a payment) or
    debited (a refund) on accounts receivable or on unapplied cash, in transaction and
    functional currency. Status, first that applies:
      missing_in_erp   no posted journal carries the external id
      unapplied        the receivable side went (wholly or partly) to unapplied cash, not AR
      misapplied       an AR line names another customer than the payment's (or none)
      amount_mismatch  paid minus applied is beyond tolerance, in transaction or functional
                       currency (rec_payments_cash_tolerance_abs / _rel)
      matched          otherwise -#}

with

billing as (
    select
        {{ rec_document_ids() }},
        charge_id,
        refund_id,
        customer_id,
        account_id,
        netsuite_customer_id,
        {{ rec_document_posting() }}
    from {{ ref('int_billing_documents_converted') }}
    where document_type in ('payment', 'refund')
),

erp as (
    select
        external_id,
        document_type,
        transaction_count,
        first_transaction_id,
        transaction_ids,
        fiscal_period,
        receivable_line_count,
        receivable_customer_count,
        receivable_netsuite_customer_id,
        receivable_account_id,
        -- a payment credits the receivable side, a refund debits it
        case when document_type = 'refund' then 1 else -1 end as direction,
        receivable_net_debit,
        unapplied_net_debit,
        receivable_net_debit_functional,
        unapplied_net_debit_functional
    from {{ ref('int_erp_documents_summarized') }}
    where document_type in ('payment', 'refund')
),

joined as (
    select
        b.document_id as payment_id,
        b.document_type as payment_type,
        b.legal_entity,
        b.billing_period,
        b.fiscal_period,
        e.fiscal_period as erp_fiscal_period,
        b.is_posting_period_moved,
        b.document_date as payment_date,
        b.account_id,
        b.customer_id,
        b.netsuite_customer_id,
        e.receivable_netsuite_customer_id as erp_netsuite_customer_id,
        e.receivable_account_id as erp_account_id,
        b.currency,
        b.functional_currency,
        b.exchange_rate,
        b.amount as billing_amount,
        b.amount_functional as billing_amount_functional,
        coalesce(e.direction * (e.receivable_net_debit + e.unapplied_net_debit), 0) as erp_amount,
        coalesce(
            e.direction * (e.receivable_net_debit_functional + e.unapplied_net_debit_functional), 0
        ) as erp_amount_functional,
        coalesce(e.direction * e.receivable_net_debit, 0) as erp_applied_amount,
        coalesce(e.direction * e.unapplied_net_debit, 0) as erp_unapplied_amount,
        coalesce(e.receivable_line_count, 0) as erp_receivable_line_count,
        coalesce(e.receivable_customer_count, 0) as erp_receivable_customer_count,
        b.charge_id,
        b.refund_id,
        b.invoice_id,
        b.credit_note_id,
        b.external_id,
        {{ rec_erp_match('e') }}
    from billing as b
    left join erp as e on b.external_id = e.external_id
),

compared as (
    {{ rec_with_variances('joined') }}
),

classified as (
    select
        *,
        case
            when erp_transaction_count = 0 then 'missing_in_erp'
            when erp_unapplied_amount <> 0 then 'unapplied'
            when
                erp_receivable_line_count > 0
                and (
                    erp_receivable_customer_count <> 1
                    or erp_netsuite_customer_id is distinct from netsuite_customer_id
                )
                then 'misapplied'
            {{ rec_amount_status('payments_cash') }}
        end as status
    from compared
)

select
    cast(payment_id as string) as payment_id,
    cast(payment_type as string) as payment_type,
    {{ rec_status_columns() }},
    cast(payment_date as date) as payment_date,
    cast(account_id as string) as account_id,
    cast(customer_id as string) as customer_id,
    cast(netsuite_customer_id as bigint) as netsuite_customer_id,
    cast(erp_account_id as string) as erp_account_id,
    cast(erp_netsuite_customer_id as bigint) as erp_netsuite_customer_id,
    {{ rec_amount_columns() }},
    cast(erp_applied_amount as decimal(38, 9)) as erp_applied_amount,
    cast(erp_unapplied_amount as decimal(38, 9)) as erp_unapplied_amount,
    {{ rec_variance_columns() }},
    cast(charge_id as string) as charge_id,
    cast(refund_id as string) as refund_id,
    cast(invoice_id as string) as invoice_id,
    cast(credit_note_id as string) as credit_note_id,
    {{ rec_erp_transaction_columns() }}
from classified
