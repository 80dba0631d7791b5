{#- Monthly posting periods from the ERP, with their closed state and, for a closed period,
    the first open period after it: where anything dated in it must post instead. -#}
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

first_open as (
    select
        p.period_id,
        min(o.start_date) as first_open_start
    from periods as p
    left join periods as o
        on p.start_date <= o.start_date and not o.is_closed
    group by p.period_id
)

select
    cast(p.period_id as bigint) as period_id,
    cast(p.period_name as varchar) as period_name,
    cast(p.fiscal_period as varchar) as fiscal_period,
    cast(p.start_date as date) as start_date,
    cast(p.end_date as date) as end_date,
    cast(p.is_closed as boolean) as is_closed,
    cast(p.is_ar_locked as boolean) as is_ar_locked,
    cast({{ period_key('f.first_open_start') }} as varchar) as posting_fiscal_period
from periods as p
left join first_open as f on p.period_id = f.period_id
