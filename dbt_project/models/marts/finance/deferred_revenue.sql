{#- Deferred revenue waterfall per legal entity x currency (transaction currency) x fiscal period:
    opening + billed - recognized = closing, exactly. Deferred are the platform fee and proration
    lines (credited to deferred revenue when the invoice posts); usage and true-up lines are
    revenue at once and stay out. billed = invoiced (the deferred lines of invoices posting in the
    period) - credited (credit note lines against deferred lines, in the credit note's posting
    period); accrued = the deferred lines (fee, prorations) of revenue accrued at the end of a
    period before their invoice posted (int_revenue_accruals, credited to deferred revenue and
    recognized from it in their service period); accrual_reversed = the same, reversed in the
    period the invoice posts; recognized = their revenue schedule in its recognition fiscal
    period. opening + billed + accrued - accrual_reversed - recognized = closing. -#}
with

allocated as (
    select
        source_type,
        source_line_id,
        legal_entity,
        currency,
        line_amount,
        amount_minor,
        minor_units,
        document_posting_fiscal_period,
        recognition_fiscal_period
    from {{ ref('int_revenue_lines_allocated') }}
    where is_deferred
),

billed_lines as (
    select
        source_type,
        source_line_id,
        legal_entity,
        currency,
        document_posting_fiscal_period as fiscal_period,
        min(line_amount) as line_amount
    from allocated
    group by source_type, source_line_id, legal_entity, currency, document_posting_fiscal_period
),

billed as (
    select
        legal_entity,
        currency,
        fiscal_period,
        sum(case when source_type = 'invoice_line' then line_amount else 0 end) as invoiced,
        -sum(case when source_type = 'credit_note_line' then line_amount else 0 end) as credited
    from billed_lines
    group by legal_entity, currency, fiscal_period
),

accrual_moves as (
    select
        legal_entity,
        currency,
        accrual_fiscal_period as fiscal_period,
        amount as accrued,
        0 as accrual_reversed
    from {{ ref('int_revenue_accruals') }}
    where line_kind in ('platform_fee', 'proration')
    union all
    select
        legal_entity,
        currency,
        reversal_fiscal_period as fiscal_period,
        0 as accrued,
        amount as accrual_reversed
    from {{ ref('int_revenue_accruals') }}
    where line_kind in ('platform_fee', 'proration') and reversal_fiscal_period is not null
),

accrued as (
    select
        legal_entity,
        currency,
        fiscal_period,
        sum(accrued) as accrued,
        sum(accrual_reversed) as accrual_reversed
    from accrual_moves
    group by legal_entity, currency, fiscal_period
),

recognized as (
    select
        legal_entity,
        currency,
        recognition_fiscal_period as fiscal_period,
        sum({{ minor_to_major('amount_minor', 'minor_units') }}) as recognized
    from allocated
    group by legal_entity, currency, recognition_fiscal_period
),

activity as (
    select
        legal_entity,
        currency,
        fiscal_period
    from billed
    union
    select
        legal_entity,
        currency,
        fiscal_period
    from recognized
    union
    select
        legal_entity,
        currency,
        fiscal_period
    from accrued
),

pairs as (
    select
        legal_entity,
        currency,
        min(fiscal_period) as first_fiscal_period
    from activity
    group by legal_entity, currency
),

periods as (
    select fiscal_period from {{ ref('fiscal_periods') }}
    union
    select fiscal_period from activity
),

grid as (
    select
        p.legal_entity,
        p.currency,
        f.fiscal_period,
        coalesce(b.invoiced, 0) as invoiced,
        coalesce(b.credited, 0) as credited,
        coalesce(b.invoiced, 0) - coalesce(b.credited, 0) as billed,
        coalesce(a.accrued, 0) as accrued,
        coalesce(a.accrual_reversed, 0) as accrual_reversed,
        coalesce(r.recognized, 0) as recognized
    from pairs as p
    inner join periods as f on p.first_fiscal_period <= f.fiscal_period
    left join billed as b
        on
            p.legal_entity is not distinct from b.legal_entity
            and p.currency = b.currency
            and f.fiscal_period = b.fiscal_period
    left join recognized as r
        on
            p.legal_entity is not distinct from r.legal_entity
            and p.currency = r.currency
            and f.fiscal_period = r.fiscal_period
    left join accrued as a
        on
            p.legal_entity is not distinct from a.legal_entity
            and p.currency = a.currency
            and f.fiscal_period = a.fiscal_period
),

waterfall as (
    select
        *,
        coalesce(
            sum(billed + accrued - accrual_reversed - recognized) over (
                partition by legal_entity, currency
                order by fiscal_period
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) as opening_balance
    from grid
)

select
    cast(legal_entity as string) as legal_entity,
    cast(currency as string) as currency,
    cast(fiscal_period as string) as fiscal_period,
    cast(opening_balance as decimal(38, 9)) as opening_balance,
    cast(invoiced as decimal(38, 9)) as invoiced,
    cast(credited as decimal(38, 9)) as credited,
    cast(billed as decimal(38, 9)) as billed,
    cast(accrued as decimal(38, 9)) as accrued,
    cast(accrual_reversed as decimal(38, 9)) as accrual_reversed,
    cast(recognized as decimal(38, 9)) as recognized,
    cast(opening_balance + billed + accrued - accrual_reversed - recognized as decimal(38, 9))
        as closing_balance
from waterfall
