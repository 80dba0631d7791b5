{#- One row per legal entity x fiscal period x reconciliation x status x transaction currency over
    the six reconciliation marts (rec_usage_billing, rec_billing_erp, rec_payments_cash,
    rec_adjustments_erp, rec_usage_meters: quantities only, so no variance in money;
    rec_exports_erp: journal lines sent vs posted, aged from the export date): row counts,
    variance totals in transaction currency (one currency per
    row, so they add up) and in functional currency, and the open variance (every status but
    matched) aged in buckets of days from the document date (usage: the billing period end;
    an ERP-only row: its fiscal period end) to the "as of" date: var rec_as_of_date, else the
    latest arrival of any landed batch (the earlier of file delivery and landing); and the
    unbilled exposure of late usage (rec_usage_billing; nothing in the other reconciliations). -#}
with

rows_reconciled as (
    select * from {{ ref('int_reconciliation_rows') }}
),

as_of as (
    select {{ data_as_of_date() }} as as_of_date
),

aged as (
    select
        r.*,
        a.as_of_date,
        r.status <> 'matched' as is_open,
        {{ dbt.datediff('r.aging_date', 'a.as_of_date', 'day') }}
            as days_open
    from rows_reconciled as r
    cross join as_of as a
),

bucketed as (
    select
        *,
        case
            when not is_open then null
            when days_open is null or days_open <= 30 then '0_30'
            when days_open <= 60 then '31_60'
            when days_open <= 90 then '61_90'
            else 'over_90'
        end as aging_bucket
    from aged
)

select
    cast(legal_entity as string) as legal_entity,
    cast(fiscal_period as string) as fiscal_period,
    cast(reconciliation as string) as reconciliation,
    cast(status as string) as status,
    cast(currency as string) as currency,
    cast(min(functional_currency) as string) as functional_currency,
    cast(min(as_of_date) as date) as as_of_date,
    cast(count(*) as bigint) as row_count,
    cast(coalesce(sum(variance), 0) as decimal(38, 9)) as variance,
    cast(coalesce(sum(variance_functional), 0) as decimal(38, 9)) as variance_functional,
    cast(count(variance_functional) as bigint) as functional_row_count,
    cast(sum(case when is_open then 1 else 0 end) as bigint) as open_row_count,
    cast(coalesce(sum(case when is_open then variance end), 0) as decimal(38, 9)) as open_variance,
    cast(coalesce(sum(case when is_open then variance_functional end), 0) as decimal(38, 9))
        as open_variance_functional,
    cast(sum(case when aging_bucket = '0_30' then 1 else 0 end) as bigint) as open_rows_0_30_days,
    cast(sum(case when aging_bucket = '31_60' then 1 else 0 end) as bigint) as open_rows_31_60_days,
    cast(sum(case when aging_bucket = '61_90' then 1 else 0 end) as bigint) as open_rows_61_90_days,
    cast(sum(case when aging_bucket = 'over_90' then 1 else 0 end) as bigint) as open_rows_over_90_days,
    cast(coalesce(sum(case when aging_bucket = '0_30' then variance_functional end), 0) as decimal(38, 9))
        as open_variance_functional_0_30_days,
    cast(coalesce(sum(case when aging_bucket = '31_60' then variance_functional end), 0) as decimal(38, 9))
        as open_variance_functional_31_60_days,
    cast(coalesce(sum(case when aging_bucket = '61_90' then variance_functional end), 0) as decimal(38, 9))
        as open_variance_functional_61_90_days,
    cast(coalesce(sum(case when aging_bucket = 'over_90' then variance_functional end), 0) as decimal(38, 9))
        as open_variance_functional_over_90_days,
    cast(coalesce(sum(unbilled_exposure), 0) as decimal(38, 9)) as unbilled_exposure,
    cast(coalesce(sum(unbilled_exposure_functional), 0) as decimal(38, 9)) as unbilled_exposure_functional
from bucketed
group by legal_entity, fiscal_period, reconciliation, status, currency
