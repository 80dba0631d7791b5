{#- The posting period rule, once (doc block posting_period_rule): per monthly ERP posting period,
    where a posting dated in it goes. An open period keeps its postings; a closed (or all-locked)
    one sends them to the first open period after it, dated that period's first day
    (moved_posting_date). Read through the macros join_posting_period and posting_date. -#}
with

periods as (
    select
        period_id,
        period_name,
        start_date,
        end_date,
        is_closed or coalesce(is_all_locked, false) as is_closed,
        coalesce(is_ar_locked, false) as is_ar_locked,
        {{ period_key('start_date') }} as fiscal_period
    from {{ ref('stg_erp__accounting_periods') }}
    where is_posting and not is_quarter and not is_year and not coalesce(is_adjustment, false)
),

-- the first open period from each one on: itself when open
first_open as (
    select
        p.period_id,
        min(o.start_date) as first_open_start
    from periods as p
    left join periods as o
        on p.start_date <= o.start_date and not o.is_closed
    group by p.period_id
),

posting as (
    select
        p.*,
        {{ period_key('f.first_open_start') }} as posting_fiscal_period,
        f.first_open_start
    from periods as p
    left join first_open as f on p.period_id = f.period_id
)

select
    cast(period_id as bigint) as period_id,
    cast(period_name as string) as period_name,
    cast(fiscal_period as string) as fiscal_period,
    cast(start_date as date) as start_date,
    cast(end_date as date) as end_date,
    cast(is_closed as boolean) as is_closed,
    cast(is_ar_locked as boolean) as is_ar_locked,
    cast(posting_fiscal_period as string) as posting_fiscal_period,
    cast(posting_fiscal_period is distinct from fiscal_period as boolean) as is_posting_period_moved,
    cast(
        case when posting_fiscal_period is distinct from fiscal_period then first_open_start end
        as date
    ) as moved_posting_date
from posting
