{#- Usage <-> billing: one row per subscription x metric x billing period with usage or a billed
    usage line (finalized, non-void invoice), metered usage in commercial units against the
    invoice's usage line for the metric, and the shadow-rated expected amount (rated_usage)
    against the billed amount, in transaction and functional currency. Variances are usage side
    minus billed side (positive = under-billed). Late usage is valued too: unbilled_exposure is
    what the contract would have billed for it (rated_usage.late_usage_amount) while the invoice
    does not carry it (billed quantity below metered), in transaction and functional currency;
    it is not part of the variance, which compares the invoice with the usage it could bill.
    Scope: periods whose billing cycle has run (int_billing_periods.is_invoiced_cycle, the flag
    expected_invoice_lines uses), any period with a billed usage line, and unmapped usage from any
    period; usage of a still running period of a known subscription is left out.
    Status, first that applies:
      unmapped         no contract knows the subscription
      missing_invoice  the cycle has run but the subscription has no invoice for the period
      late_usage       usage arrived after the invoice was finalized and the billed quantity
                       equals the on-time quantity
      unbilled_usage   billed quantity below metered
      overbilled       billed quantity above metered
      price_mismatch   quantities agree, expected minus billed amount beyond tolerance in
                       transaction or functional currency (rec_usage_billing_tolerance_abs / _rel)
      matched          otherwise -#}

with

-- the period's rating segments (one, or one per contract version when usage is split at a
-- mid-cycle change): commercial quantities are rounded per segment, as each is billed
rated as (
    select
        subscription_id,
        metric,
        billing_period,
        {{ max_by('amendment_id', ['segment_number']) }} as amendment_id,
        sum(expected_amount) as expected_amount,
        sum(late_usage_amount) as late_usage_amount,
        sum(commercial_quantity) as commercial_quantity,
        sum(case when is_invoiced then rated_quantity else commercial_quantity end)
            as on_time_commercial_quantity
    from {{ ref('rated_usage') }}
    group by subscription_id, metric, billing_period
),

known_subscriptions as (
    select distinct subscription_id
    from {{ ref('subscriptions') }}
),

periods as (
    select
        billing_period,
        period_end,
        is_invoiced_cycle
    from {{ ref('int_billing_periods') }}
),

fiscal as (
    select
        fiscal_period,
        posting_fiscal_period
    from {{ ref('fiscal_periods') }}
),

-- the pairs, with the commercial quantities of their rating segments where rated
paired as (
    select
        p.*,
        coalesce(
            case when p.has_usage then coalesce(r.commercial_quantity, p.usage_commercial_quantity) end,
            0
        ) as metered_quantity,
        coalesce(
            case
                when p.has_usage
                    then coalesce(r.on_time_commercial_quantity, p.usage_on_time_commercial_quantity)
            end,
            0
        ) as on_time_quantity,
        coalesce(
            case
                when p.has_usage
                    then
                        coalesce(r.commercial_quantity, p.usage_commercial_quantity)
                        - coalesce(r.on_time_commercial_quantity, p.usage_on_time_commercial_quantity)
            end,
            0
        ) as late_quantity
    from {{ ref('int_usage_billing_paired') }} as p
    left join rated as r
        on
            p.subscription_id = r.subscription_id
            and p.metric = r.metric
            and p.billing_period = r.billing_period
),

enriched as (
    select
        p.*,
        k.subscription_id is not null as is_mapped,
        coalesce(c.is_invoiced_cycle, false) as is_invoiced_cycle,
        cast(c.period_end as date) as period_end_date,
        -- the contract in effect at the period end gives the context of a row without usage
        coalesce(r.amendment_id, v.amendment_id) as amendment_id,
        coalesce(p.contract_id, v.contract_id) as resolved_contract_id,
        coalesce(p.contract_version, v.contract_version) as resolved_contract_version,
        case when k.subscription_id is not null then coalesce(r.expected_amount, 0) end as expected_amount,
        -- late usage the invoice does not carry is exposure: what the contract would have billed
        case
            when k.subscription_id is null then null
            when p.billed_quantity < p.metered_quantity then coalesce(r.late_usage_amount, 0)
            else 0
        end as unbilled_exposure,
        -- the invoice's posting period, else the one the period's invoice would post to
        coalesce(p.invoice_fiscal_period, f.posting_fiscal_period) as fiscal_period
    from paired as p
    left join known_subscriptions as k on p.subscription_id = k.subscription_id
    left join periods as c on p.billing_period = c.billing_period
    left join rated as r
        on
            p.subscription_id = r.subscription_id
            and p.metric = r.metric
            and p.billing_period = r.billing_period
    left join {{ ref('subscriptions') }} as v
        on
            p.subscription_id = v.subscription_id
            and v.effective_from < {{ dbt.dateadd('month', 1, period_start('p.billing_period')) }}
            and (
                v.effective_to is null
                or v.effective_to >= {{ dbt.dateadd('month', 1, period_start('p.billing_period')) }}
            )
    left join fiscal as f
        on {{ period_key(dbt.dateadd('month', 1, period_start('p.billing_period'))) }} = f.fiscal_period
),

in_scope as (
    select *
    from enriched
    where not is_mapped or is_invoiced_cycle or billed_line_count > 0
),

converted as (
    select
        s.*,
        {{ rate_path_columns('s.currency', 's.resolved_functional_currency', 'x') }}
    from in_scope as s
    {{ join_rate_path('s.fiscal_period', 's.currency', 's.resolved_functional_currency', 'x') }}
),

compared as (
    select
        *,
        {{ to_functional('expected_amount') }} as expected_amount_functional,
        {{ to_functional('billed_amount') }} as billed_amount_functional,
        {{ to_functional('unbilled_exposure') }} as unbilled_exposure_functional,
        metered_quantity - billed_quantity as quantity_variance,
        coalesce(expected_amount, 0) - billed_amount as variance
    from converted
),

-- an unmapped row has nothing expected; a missing rate leaves the functional side null
variances as (
    select
        *,
        coalesce(expected_amount_functional, case when expected_amount is null then 0 end)
        - billed_amount_functional as variance_functional
    from compared
),

classified as (
    select
        *,
        case
            when not is_mapped then 'unmapped'
            when is_invoiced_cycle and invoice_id is null then 'missing_invoice'
            when late_technical_quantity > 0 and billed_quantity = on_time_quantity then 'late_usage'
            when billed_quantity < metered_quantity then 'unbilled_usage'
            when billed_quantity > metered_quantity then 'overbilled'
            when
                {{ beyond_tolerance('usage_billing', 'variance', 'coalesce(expected_amount, 0)') }}
                or {{ beyond_tolerance('usage_billing', 'variance_functional', 'expected_amount_functional') }}
                then 'price_mismatch'
            else 'matched'
        end as status
    from variances
)

select
    cast(subscription_id as string) as subscription_id,
    cast(metric as string) as metric,
    cast(billing_period as string) as billing_period,
    cast(status as string) as status,
    cast(resolved_legal_entity as string) as legal_entity,
    cast(fiscal_period as string) as fiscal_period,
    cast(period_end_date as date) as period_end_date,
    cast(is_invoiced_cycle as boolean) as is_invoiced_cycle,
    cast(is_mapped as boolean) as is_mapped,
    cast(resolved_account_id as string) as account_id,
    cast(customer_id as string) as customer_id,
    cast(resolved_contract_id as string) as contract_id,
    cast(resolved_contract_version as integer) as contract_version,
    cast(amendment_id as string) as amendment_id,
    cast(currency as string) as currency,
    cast(resolved_functional_currency as string) as functional_currency,
    cast(exchange_rate as decimal(38, 12)) as exchange_rate,
    cast(commercial_unit as string) as commercial_unit,
    cast(metered_quantity as decimal(38, 9)) as metered_quantity,
    cast(on_time_quantity as decimal(38, 9)) as on_time_quantity,
    cast(late_quantity as decimal(38, 9)) as late_quantity,
    cast(metered_technical_quantity as decimal(38, 9)) as metered_technical_quantity,
    cast(late_technical_quantity as decimal(38, 9)) as late_technical_quantity,
    cast(late_event_count as bigint) as late_event_count,
    cast(billed_quantity as decimal(38, 9)) as billed_quantity,
    cast(quantity_variance as decimal(38, 9)) as quantity_variance,
    cast(expected_amount as decimal(38, 9)) as expected_amount,
    cast(expected_amount_functional as decimal(38, 9)) as expected_amount_functional,
    cast(billed_amount as decimal(38, 9)) as billed_amount,
    cast(billed_amount_functional as decimal(38, 9)) as billed_amount_functional,
    cast(variance as decimal(38, 9)) as variance,
    cast(variance_functional as decimal(38, 9)) as variance_functional,
    cast(unbilled_exposure as decimal(38, 9)) as unbilled_exposure,
    cast(unbilled_exposure_functional as decimal(38, 9)) as unbilled_exposure_functional,
    cast(invoice_id as string) as invoice_id,
    cast(invoice_line_id as string) as invoice_line_id,
    cast(billed_line_count as bigint) as billed_line_count
from classified
