{#- The revenue recognition and revenue accrual journals (doc blocks journal_rules,
    revenue_accrual): the source lines of revenue recognition and of the accruals and their
    reversals through the journal rules, one journal per kind x legal entity x fiscal period x
    transaction currency, its lines summed per account x department / class / location. -#}
with

-- one row per line and journal it is in
moves as (
    select * from {{ ref('int_journal_revenue_source_lines') }}
),

-- the journal's key, date and lineage: the batch landed last
journals as (
    select
        source_type,
        legal_entity,
        currency,
        fiscal_period,
        {{ dbt.concat(['legal_entity', "'-'", 'fiscal_period', "'-'", 'currency']) }} as journal_key,
        functional_currency,
        document_date,
        batch_id
    from (
        select
            *,
            row_number() over (
                partition by source_type, legal_entity, currency, fiscal_period
                order by landed_at desc nulls last, batch_id desc nulls last
            ) as batch_rank
        from moves
    ) as ranked
    where batch_rank = 1
),

source_lines as (
    select
        m.source_type,
        m.amount_source,
        j.journal_key,
        j.journal_key as source_id,
        m.line_account,
        m.line_is_fallback,
        m.revenue_account,
        m.revenue_is_fallback,
        m.department,
        m.class,
        m.location,
        m.currency,
        m.amount,
        m.legal_entity,
        j.functional_currency,
        j.document_date,
        j.batch_id
    from moves as m
    inner join journals as j
        on
            m.source_type = j.source_type
            and m.legal_entity = j.legal_entity
            and m.currency = j.currency
            and m.fiscal_period = j.fiscal_period
),

journal_lines as (
    {{ journal_lines_from_rules('source_lines') }}
),

-- summed per account x dimensions; a line is flagged when any of its parts is
summed as (
    select
        {{ star_except(['entry_index', 'is_fallback_account', 'amount']) }},
        max(case when is_fallback_account then 1 else 0 end) = 1 as is_fallback_account,
        sum(amount) as amount
    from journal_lines
    group by all
)

select
    *,
    row_number() over (
        partition by journal_id, entry_group
        order by account, department, class, location
    ) as entry_index
from summed
