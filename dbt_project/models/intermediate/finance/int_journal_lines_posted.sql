{#- One row per journal line usage-to-cash sends to the ERP (derivation rules:
    int_journal_entries_derived). Each journal posts in the fiscal period of its document date, or,
    when that period is closed, in the first open period on its first day, keeping the original
    date (status moved_to_open_period, posting_reason period_closed). Amounts round half-even to
    the transaction currency's minor unit and convert line by line into the legal entity's
    functional currency at the posting period's average consolidated rate (as the ERP converts),
    rounded half-even (a pair without a direct rate is triangulated through the parent currency,
    each leg at the period's rate, rounded once at the end: int_exchange_rates_by_period); what
    the rounded lines leave unbalanced, in transaction or functional amount, goes to one rounding
    line on the rounding account, so every journal balances exactly. A journal with a line on the
    fallback account needs review.
    A journal that cannot be posted is held, whole, with the first reason one of its lines gives
    (hold_reason: no_legal_entity, no_functional_currency, no_fiscal_period, no_exchange_rate,
    the last when neither a direct rate nor a path through the parent currency exists):
    a delivery without the CRM or the ERP (a billing-only first run) has no legal entity or
    fiscal calendar to post in. journal_lines keeps the rest, journals_held lists the held. -#}
with

entries as (
    select
        journal_id,
        source_type,
        source_system,
        source_id,
        source_line_id,
        invoice_id,
        related_external_id,
        entry_group,
        entry_index,
        account,
        department,
        class,
        location,
        is_fallback_account,
        memo,
        currency,
        amount,
        legal_entity,
        functional_currency,
        original_date,
        customer_id,
        crm_account_id,
        netsuite_customer_id,
        business_transaction_id,
        batch_id
    from {{ ref('int_journal_entries_derived') }}
),

minor_units as (
    select
        currency,
        minor_units
    from {{ ref('currencies') }}
),

posted as (
    select
        e.*,
        d.fiscal_period as original_period,
        d.posting_fiscal_period as posting_period,
        cast({{ is_posting_period_moved('d') }} as boolean) as is_moved,
        {{ posting_date('e.original_date', 'd') }} as posting_date,
        tm.minor_units
    from entries as e
    {{ join_posting_period('e.original_date', 'd') }}
    left join minor_units as tm on e.currency = tm.currency
),

converted as (
    select
        p.*,
        {{ rate_path_columns('p.currency', 'p.functional_currency', 'r') }},
        {{ to_functional_half_even('p.amount', '1', 'p.minor_units') }} as amount_rounded
    from posted as p
    {{ join_rate_path('p.posting_period', 'p.currency', 'p.functional_currency', 'r') }}
),

lines as (
    select
        c.*,
        case
            when c.legal_entity is null then 'no_legal_entity'
            when c.functional_currency is null then 'no_functional_currency'
            when c.posting_period is null then 'no_fiscal_period'
            when c.exchange_rate is null then 'no_exchange_rate'
        end as line_hold_reason,
        -- null only on a held line (no rate path): held journals never reach journal_lines
        {{ to_functional('c.amount_rounded') }} as functional_amount
    from converted as c
),

-- what the rounded lines leave unbalanced, per journal, entity and currency
residuals as (
    select
        journal_id,
        legal_entity,
        currency,
        -sum(amount_rounded) as amount_rounded,
        -sum(functional_amount) as functional_amount
    from lines
    group by journal_id, legal_entity, currency
),

-- the journal's first line, whose lineage the rounding line repeats
first_lines as (
    select *
    from (
        select
            *,
            row_number() over (
                partition by journal_id, legal_entity, currency
                order by entry_group, entry_index, source_line_id
            ) as line_rank
        from lines
    ) as ranked
    where line_rank = 1
),

rounding_lines as (
    select
        l.journal_id,
        l.source_type,
        l.source_system,
        l.source_id,
        cast(null as string) as source_line_id,
        l.invoice_id,
        l.related_external_id,
        9 as entry_group,
        0 as entry_index,
        '{{ var("gl_account_rounding") }}' as account,
        cast(null as string) as department,
        cast(null as string) as class,
        cast(null as string) as location,
        false as is_fallback_account,
        'Rounding (currency conversion)' as memo,
        l.currency,
        l.legal_entity,
        l.functional_currency,
        l.original_date,
        l.customer_id,
        l.crm_account_id,
        l.netsuite_customer_id,
        l.business_transaction_id,
        l.batch_id,
        l.original_period,
        l.posting_period,
        l.is_moved,
        l.posting_date,
        l.exchange_rate,
        l.conversion_path,
        l.line_hold_reason,
        r.amount_rounded,
        r.functional_amount
    from residuals as r
    inner join first_lines as l
        on
            r.journal_id = l.journal_id
            and r.legal_entity = l.legal_entity
            and r.currency = l.currency
    where r.amount_rounded <> 0 or r.functional_amount <> 0
),

all_lines as (
    select
        journal_id,
        source_type,
        source_system,
        source_id,
        source_line_id,
        invoice_id,
        related_external_id,
        entry_group,
        entry_index,
        account,
        department,
        class,
        location,
        is_fallback_account,
        memo,
        currency,
        legal_entity,
        functional_currency,
        original_date,
        customer_id,
        crm_account_id,
        netsuite_customer_id,
        business_transaction_id,
        batch_id,
        original_period,
        posting_period,
        is_moved,
        posting_date,
        exchange_rate,
        conversion_path,
        line_hold_reason,
        amount_rounded,
        functional_amount
    from lines
    where amount_rounded <> 0 or functional_amount <> 0 or line_hold_reason is not null
    union all
    select
        journal_id,
        source_type,
        source_system,
        source_id,
        source_line_id,
        invoice_id,
        related_external_id,
        entry_group,
        entry_index,
        account,
        department,
        class,
        location,
        is_fallback_account,
        memo,
        currency,
        legal_entity,
        functional_currency,
        original_date,
        customer_id,
        crm_account_id,
        netsuite_customer_id,
        business_transaction_id,
        batch_id,
        original_period,
        posting_period,
        is_moved,
        posting_date,
        exchange_rate,
        conversion_path,
        line_hold_reason,
        amount_rounded,
        functional_amount
    from rounding_lines
),

numbered as (
    select
        *,
        -- a line is on one side: its transaction amount's, or (rounding) its functional amount's
        amount_rounded > 0 or (amount_rounded = 0 and functional_amount > 0) as is_debit,
        max(case when is_fallback_account then 1 else 0 end) over (partition by journal_id) = 1
            as journal_needs_review,
        min(line_hold_reason) over (partition by journal_id) as hold_reason,
        row_number() over (
            partition by journal_id
            order by entry_group, entry_index, source_line_id, account
        ) as line_number
    from all_lines
)

select
    cast(journal_id as string) as journal_id,
    cast(line_number as integer) as line_number,
    cast(journal_id as string) as external_id,
    cast(legal_entity as string) as legal_entity,
    cast(posting_period as string) as posting_period,
    cast(posting_date as date) as posting_date,
    cast(original_period as string) as original_period,
    cast(original_date as date) as original_date,
    cast(case when is_moved then 'period_closed' end as string) as posting_reason,
    cast(
        case
            when journal_needs_review then 'needs_review'
            when is_moved then 'moved_to_open_period'
            else 'ready'
        end as string
    ) as status,
    cast(is_fallback_account as boolean) as is_fallback_account,
    cast(account as string) as account,
    cast(department as string) as department,
    cast(class as string) as class,
    cast(location as string) as location,
    cast(memo as string) as memo,
    cast(currency as string) as currency,
    cast(case when is_debit then amount_rounded else 0 end as decimal(38, 9)) as debit,
    cast(case when is_debit then 0 else -amount_rounded end as decimal(38, 9)) as credit,
    cast(functional_currency as string) as functional_currency,
    cast(exchange_rate as decimal(38, 12)) as exchange_rate,
    cast(conversion_path as string) as conversion_path,
    cast(case when is_debit then functional_amount else 0 end as decimal(38, 9)) as functional_debit,
    cast(case when is_debit then 0 else -functional_amount end as decimal(38, 9)) as functional_credit,
    cast(source_system as string) as source_system,
    cast(source_type as string) as source_type,
    cast(source_id as string) as source_id,
    cast(source_line_id as string) as source_line_id,
    cast(invoice_id as string) as invoice_id,
    cast(related_external_id as string) as related_external_id,
    cast(business_transaction_id as string) as business_transaction_id,
    cast(batch_id as string) as batch_id,
    cast(customer_id as string) as customer_id,
    cast(crm_account_id as string) as crm_account_id,
    cast(netsuite_customer_id as bigint) as netsuite_customer_id,
    cast(hold_reason as string) as hold_reason
from numbered
