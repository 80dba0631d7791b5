{#- Billing periods whose service period has ended by the billing extract's "as of" date (the
    billing system's clock, which a late usage file does not move), with where their revenue
    accrual posts: the end of the fiscal period holding the service period's last day, or of the
    first open period after it when that one is closed (the posting period rule,
    int_posting_periods). -#}
with

periods as (
    select
        billing_period,
        period_end
    from {{ ref('int_billing_periods') }}
    where cast(period_end as date) <= {{ data_as_of_date('billing') }}
),

fiscal as (
    select
        fiscal_period,
        start_date,
        end_date,
        posting_fiscal_period
    from {{ ref('int_posting_periods') }}
)

select
    p.billing_period,
    p.period_end,
    a.posting_fiscal_period as accrual_fiscal_period,
    d.end_date as accrual_date
from periods as p
-- the service period's last day, in the ERP's calendar
inner join fiscal as a
    on cast({{ dbt.dateadd('second', -1, 'p.period_end') }} as date) between a.start_date and a.end_date
inner join fiscal as d on a.posting_fiscal_period = d.fiscal_period
