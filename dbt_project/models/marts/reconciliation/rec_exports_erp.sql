{#- Export <-> ERP confirmation: one row per journal line usage-to-cash sent to the ERP (the export
    ledger, by the External ID and line the ERP received it as; a summary line gathers its detail
    lines) against what the ERP extract posted under that External ID, line by line in order
    (transaction types the seed erp_transaction_types lists for journal_export, the accounting
    book var rec_accounting_book_id). status: not_in_erp (no live ERP transaction carries the
    External ID; aged from the export date), posted_twice (two or more do), account_mismatch (the
    ERP's line is on another account), amount_mismatch (the ERP's line differs in transaction or
    functional amount beyond var rec_exports_erp_tolerance_abs, or the ERP journal has no such
    line), else matched. The variance is the amount the ERP does not confirm, unsigned: the line's
    amount less the ERP's, or the whole line when the journal is not posted (a journal counts its
    debits and its credits), posted once too often, or posted on another account. -#}
with

ledger as (
    select
        export_batch_id,
        export_sequence,
        export_mode,
        export_date,
        journal_kind,
        erp_external_id,
        erp_line_number,
        source_type,
        legal_entity,
        posting_period,
        account,
        currency,
        functional_currency,
        debit,
        credit,
        functional_debit,
        functional_credit
    from {{ ref('stg_exports__ledger_lines') }}
),

-- what the ERP received: one row per line of the journal it was sent as
sent as (
    select
        erp_external_id as external_id,
        erp_line_number as line_number,
        min(export_batch_id) as export_batch_id,
        min(export_sequence) as export_sequence,
        min(export_mode) as export_mode,
        min(export_date) as export_date,
        min(journal_kind) as journal_kind,
        min(source_type) as source_type,
        min(legal_entity) as legal_entity,
        min(posting_period) as fiscal_period,
        min(account) as account,
        min(currency) as currency,
        min(functional_currency) as functional_currency,
        sum(debit - credit) as sent_amount,
        sum(functional_debit - functional_credit) as sent_amount_functional
    from ledger
    group by erp_external_id, erp_line_number
),

journal_types as (
    select transaction_type
    from {{ ref('erp_transaction_types') }}
    where document_type = 'journal_export'
),

erp_lines as (
    select
        g.external_id,
        g.transaction_id,
        g.transaction_line_id,
        g.account_reference,
        g.foreign_amount,
        coalesce(g.debit, 0) - coalesce(g.credit, 0) as functional_amount
    from {{ ref('gl_lines') }} as g
    inner join journal_types as t on g.transaction_type = t.transaction_type
    where
        g.external_id is not null
        and g.accounting_book_id = {{ var('rec_accounting_book_id') }}
),

erp_journals as (
    select
        external_id,
        count(distinct transaction_id) as transaction_count,
        min(transaction_id) as transaction_id
    from erp_lines
    group by external_id
),

-- the lines of the first ERP transaction of each External ID, numbered in the ERP's line order
erp_numbered as (
    select
        l.external_id,
        l.transaction_id,
        l.account_reference,
        l.foreign_amount,
        l.functional_amount,
        row_number() over (
            partition by l.transaction_id order by l.transaction_line_id
        ) as line_number
    from erp_lines as l
    inner join erp_journals as j
        on
            l.external_id = j.external_id
            and l.transaction_id = j.transaction_id
),

compared as (
    select
        s.*,
        j.transaction_count as erp_transaction_count,
        j.transaction_id as erp_transaction_id,
        e.account_reference as erp_account,
        e.foreign_amount as erp_amount,
        e.functional_amount as erp_amount_functional,
        case
            when j.external_id is null then 'not_in_erp'
            when j.transaction_count > 1 then 'posted_twice'
            when e.line_number is null then 'amount_mismatch'
            when coalesce(e.account_reference, '') <> coalesce(s.account, '') then 'account_mismatch'
            when greatest(
                abs(e.foreign_amount - s.sent_amount),
                abs(e.functional_amount - s.sent_amount_functional)
            ) > {{ var('rec_exports_erp_tolerance_abs') }} then 'amount_mismatch'
            else 'matched'
        end as status
    from sent as s
    left join erp_journals as j on s.external_id = j.external_id
    left join erp_numbered as e
        on
            s.external_id = e.external_id
            and s.line_number = e.line_number
),

as_of as (
    select {{ data_as_of_date() }} as as_of_date
)

select
    cast(c.external_id as string) as external_id,
    cast(c.line_number as integer) as line_number,
    cast(c.journal_kind as string) as journal_kind,
    cast(c.source_type as string) as source_type,
    cast(c.legal_entity as string) as legal_entity,
    cast(c.fiscal_period as string) as fiscal_period,
    cast(c.account as string) as account,
    cast(c.currency as string) as currency,
    cast(c.functional_currency as string) as functional_currency,
    cast(c.sent_amount as decimal(38, 9)) as sent_amount,
    cast(c.sent_amount_functional as decimal(38, 9)) as sent_amount_functional,
    cast(c.erp_transaction_id as bigint) as erp_transaction_id,
    cast(coalesce(c.erp_transaction_count, 0) as integer) as erp_transaction_count,
    cast(c.erp_account as string) as erp_account,
    cast(c.erp_amount as decimal(38, 9)) as erp_amount,
    cast(c.erp_amount_functional as decimal(38, 9)) as erp_amount_functional,
    cast(
        case
            when c.status = 'matched' then 0
            when c.status in ('not_in_erp', 'posted_twice', 'account_mismatch') then abs(c.sent_amount)
            else abs(c.sent_amount - coalesce(c.erp_amount, 0))
        end as decimal(38, 9)
    ) as variance,
    cast(
        case
            when c.status = 'matched' then 0
            when c.status in ('not_in_erp', 'posted_twice', 'account_mismatch')
                then abs(c.sent_amount_functional)
            else abs(c.sent_amount_functional - coalesce(c.erp_amount_functional, 0))
        end as decimal(38, 9)
    ) as variance_functional,
    cast(c.export_batch_id as string) as export_batch_id,
    cast(c.export_sequence as bigint) as export_sequence,
    cast(c.export_mode as string) as export_mode,
    cast(c.export_date as date) as export_date,
    cast(
        case
            when c.status <> 'matched'
                then {{ dbt.datediff('c.export_date', 'a.as_of_date', 'day') }}
        end
        as integer
    ) as days_open,
    cast(c.status as string) as status
from compared as c
cross join as_of as a
