{#- Monthly posting periods from the ERP, with their closed state and, for a closed period,
    the first open period after it: where anything dated in it must post instead
    (int_posting_periods holds the rule). -#}
select
    period_id,
    period_name,
    fiscal_period,
    start_date,
    end_date,
    is_closed,
    is_ar_locked,
    posting_fiscal_period
from {{ ref('int_posting_periods') }}
