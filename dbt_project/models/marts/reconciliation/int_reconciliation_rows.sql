{#- Every row of the six reconciliation marts, in one shape for rec_summary: the reconciliation,
    legal entity, fiscal period, status and currencies, the variances (rec_usage_meters compares
    quantities, not money: 0), the unbilled exposure of late usage (rec_usage_billing only, 0
    elsewhere), and the date the row's open variance ages from (the document date; usage: the
    billing period end; an ERP-only row of rec_billing_erp: its fiscal period end). A view in the
    intermediate schema, beside the marts it reads. -#}

with

fiscal as (
    select
        fiscal_period,
        end_date
    from {{ ref('fiscal_periods') }}
)

select
    {{ reconciled_row('rec_usage_billing', unbilled=true) }}
    period_end_date as aging_date
from {{ ref('rec_usage_billing') }}
union all
select
    {{ reconciled_row('rec_billing_erp', alias='r') }}
    coalesce(r.document_date, f.end_date) as aging_date
from {{ ref('rec_billing_erp') }} as r
left join fiscal as f on r.fiscal_period = f.fiscal_period
union all
select
    {{ reconciled_row('rec_payments_cash') }}
    payment_date as aging_date
from {{ ref('rec_payments_cash') }}
union all
select
    {{ reconciled_row('rec_adjustments_erp') }}
    adjustment_date as aging_date
from {{ ref('rec_adjustments_erp') }}
union all
-- quantities, not money: no variance in currency, only the rows and their statuses
select
    {{ reconciled_row('rec_usage_meters', variances=false) }}
    period_end_date as aging_date
from {{ ref('rec_usage_meters') }}
union all
select
    {{ reconciled_row('rec_exports_erp') }}
    export_date as aging_date
from {{ ref('rec_exports_erp') }}
