{#- The ERP side of the reconciliations: one row per usage-to-cash external id found on posted
    ERP journals (U2C-INV-, U2C-CN-, U2C-PAY-, U2C-REF-), whatever the billing side holds, with
    how many transactions carry it and, summed over all of them, the net debit (debit > 0,
    credit < 0) on the receivable account, on unapplied cash and on every other account, in
    transaction currency (foreign amount) and functional currency, and the customers the
    receivable lines name. Accounts and book are vars (chart of accounts numbers, or the full
    name of an account without one). Only transactions of the types the seed
    erp_transaction_types lists for the document's kind count (every type lands in gl_lines).
    A view in the intermediate schema: shared by the reconciliation marts, not published. -#}
{{ config(materialized='view', schema='intermediate') }}

with

lines as (
    select
        transaction_id,
        external_id,
        document_type,
        document_id,
        account_number,
        netsuite_customer_id,
        crm_account_id,
        legal_entity,
        functional_currency,
        transaction_currency,
        fiscal_period,
        coalesce(foreign_amount, 0) as net_debit,
        debit - credit as net_debit_functional,
        account_reference = '{{ var("rec_receivable_account_number") }}' as is_receivable,
        account_reference = '{{ var("rec_unapplied_cash_account_number") }}' as is_unapplied_cash
    from {{ ref('gl_lines') }} as g
    where
        document_type is not null
        and is_posting
        and accounting_book_id = {{ var('rec_accounting_book_id') }}
        and exists (
            select 1 from {{ ref('erp_transaction_types') }} as tt
            where
                tt.transaction_type = g.transaction_type
                and tt.document_type = g.document_type
        )
),

transactions as (
    select
        external_id,
        transaction_id,
        min(fiscal_period) as fiscal_period
    from lines
    group by external_id, transaction_id
),

transaction_lists as (
    select
        external_id,
        count(*) as transaction_count,
        min(transaction_id) as first_transaction_id,
        min(fiscal_period) as fiscal_period,
        {{ dbt.listagg(
            'cast(transaction_id as string)', "', '", 'order by transaction_id'
        ) }} as transaction_ids
    from transactions
    group by external_id
),

amounts as (
    select
        external_id,
        min(document_type) as document_type,
        min(document_id) as document_id,
        min(legal_entity) as legal_entity,
        min(functional_currency) as functional_currency,
        min(transaction_currency) as currency,
        min(netsuite_customer_id) as netsuite_customer_id,
        min(crm_account_id) as account_id,
        sum(case when is_receivable then 1 else 0 end) as receivable_line_count,
        count(distinct case when is_receivable then netsuite_customer_id end) as receivable_customer_count,
        min(case when is_receivable then netsuite_customer_id end) as receivable_netsuite_customer_id,
        min(case when is_receivable then crm_account_id end) as receivable_account_id,
        sum(case when is_receivable then net_debit else 0 end) as receivable_net_debit,
        sum(case when is_receivable then net_debit_functional else 0 end) as receivable_net_debit_functional,
        sum(case when is_unapplied_cash then net_debit else 0 end) as unapplied_net_debit,
        sum(case when is_unapplied_cash then net_debit_functional else 0 end) as unapplied_net_debit_functional,
        sum(case when not is_receivable then net_debit else 0 end) as other_net_debit,
        sum(case when not is_receivable then net_debit_functional else 0 end) as other_net_debit_functional
    from lines
    group by external_id
)

select
    cast(a.external_id as string) as external_id,
    cast(a.document_type as string) as document_type,
    cast(a.document_id as string) as document_id,
    cast(t.transaction_count as bigint) as transaction_count,
    cast(t.first_transaction_id as bigint) as first_transaction_id,
    cast(t.transaction_ids as string) as transaction_ids,
    cast(t.fiscal_period as string) as fiscal_period,
    cast(a.legal_entity as string) as legal_entity,
    cast(a.currency as string) as currency,
    cast(a.functional_currency as string) as functional_currency,
    cast(a.netsuite_customer_id as bigint) as netsuite_customer_id,
    cast(a.account_id as string) as account_id,
    cast(a.receivable_line_count as bigint) as receivable_line_count,
    cast(a.receivable_customer_count as bigint) as receivable_customer_count,
    cast(a.receivable_netsuite_customer_id as bigint) as receivable_netsuite_customer_id,
    cast(a.receivable_account_id as string) as receivable_account_id,
    cast(a.receivable_net_debit as decimal(38, 9)) as receivable_net_debit,
    cast(a.receivable_net_debit_functional as decimal(38, 9)) as receivable_net_debit_functional,
    cast(a.unapplied_net_debit as decimal(38, 9)) as unapplied_net_debit,
    cast(a.unapplied_net_debit_functional as decimal(38, 9)) as unapplied_net_debit_functional,
    cast(a.other_net_debit as decimal(38, 9)) as other_net_debit,
    cast(a.other_net_debit_functional as decimal(38, 9)) as other_net_debit_functional
from amounts as a
inner join transaction_lists as t on a.external_id = t.external_id
