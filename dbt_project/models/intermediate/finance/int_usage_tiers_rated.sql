{#- Shadow rating of usage: one row per subscription x metric x billing period x rating segment x
    price tier of the segment's contract version (a single row without tier when the usage cannot
    be rated), the line-level result repeated on each row. A segment is the part of the period one
    contract version rates (var mid_cycle_usage_policy, int_usage_segments_classified): the whole
    period on the version at its end, or one segment per version when usage is split at a
    mid-cycle change; each segment is rated on its own as a line of its own, whole tiers and
    included units each (as the billing platform rates a price's usage).

    Billing policy of the demo billing platform (SOURCES_SPEC), recomputed exactly:
    - Rated quantity: a period that has a finalized invoice is rated on the usage the billing
      platform saw, i.e. without late usage (arrived after the invoice was finalized): the on-time
      technical quantity / unit_divisor, rounded per the catalog rounding (up = ceiling, down =
      floor). A period without invoice (running, or invoice missing) is rated on all its usage.
    - billable = max(0, quantity - included_units of tier 1).
    - per_unit: billable x unit_price (tier 1; no flat fee). graduated: tier i covers
      (up_to[i-1], up_to[i]] of billable, each unit at its tier's price, plus the flat fee of
      every tier reached. volume: the tier containing billable prices all billable units, plus
      its flat fee; nothing when billable is 0.
    - The line amount is exact (whole 10^-18 units) and rounded half-even to the currency's minor
      unit once. Tier amounts are rounded half-even each; the leftover (line amount minus their
      sum) goes to the touched tier with the largest exact amount (ties: the higher tier), so the
      tiers sum exactly to the line.
    - Late usage has a value: an invoiced segment with late usage is rated a second time on all
      its usage (basis 'all', the same terms and rounding); late_usage_amount_minor is that line
      minus the billed basis' line, what the contract would have billed for the late usage.
    - A line whose quantity, a tier's bound or price, or a flat fee lies beyond the vars
      rating_max_* is not rated (rating_status out_of_range, no amount): past them the exact
      product would not fit 128-bit integers, and one absurd input must not stop the build. -#}
with

segments as (
    select
        subscription_id,
        metric,
        billing_period,
        segment_number,
        segment_count,
        segment_start,
        segment_end,
        contract_id,
        contract_version,
        invoice_id,
        metered_quantity,
        on_time_quantity,
        late_quantity
    from {{ ref('int_usage_segments_classified') }}
),

periods as (
    select
        subscription_id,
        metric,
        billing_period,
        is_mapped,
        commercial_unit,
        unit_divisor
    from {{ ref('usage_by_period') }}
),

catalog as (
    select
        metric,
        rounding
    from {{ ref('product_catalog') }}
),

versions as (
    select
        contract_id,
        contract_version,
        amendment_id,
        plan_code,
        legal_entity,
        currency
    from {{ ref('subscriptions') }}
),

currencies as (
    select
        currency,
        minor_units
    from {{ ref('currencies') }}
),

price_terms as (
    select
        amendment_id,
        metric,
        pricing_model,
        tier,
        up_to,
        unit_price,
        coalesce(flat_fee, 0) as flat_fee,
        coalesce(
            max(case when tier = 1 then included_units end) over (partition by amendment_id, metric), 0
        ) as included_units,
        coalesce(
            lag(up_to) over (partition by amendment_id, metric order by tier), 0
        ) as lower_bound,
        count(*) over (partition by amendment_id, metric) as tier_count
    from {{ ref('stg_crm__contract_price_terms') }}
),

usage as (
    select
        s.*,
        p.is_mapped,
        p.commercial_unit,
        p.unit_divisor,
        k.rounding,
        v.amendment_id,
        v.plan_code,
        v.legal_entity,
        v.currency,
        cast(
            {{ divide_to_whole('s.metered_quantity', 'p.unit_divisor', 'k.rounding') }} as decimal(38, 9)
        ) as commercial_quantity,
        cast(
            {{ divide_to_whole('s.on_time_quantity', 'p.unit_divisor', 'k.rounding') }} as decimal(38, 9)
        ) as on_time_commercial_quantity
    from segments as s
    left join periods as p
        on
            s.subscription_id = p.subscription_id
            and s.metric = p.metric
            and s.billing_period = p.billing_period
    left join catalog as k on s.metric = k.metric
    left join versions as v
        on s.contract_id = v.contract_id and s.contract_version = v.contract_version
),

-- 'billed': the quantity the billing platform rates, on-time usage once the period is invoiced;
-- 'all': every usage of an invoiced segment with late usage, to value the late part
bases as (
    select 'billed' as basis
    union all
    select 'all' as basis
),

rated as (
    select
        u.*,
        b.basis,
        c.minor_units,
        u.invoice_id is not null as is_invoiced,
        case
            when b.basis = 'billed' and u.invoice_id is not null then u.on_time_quantity
            else u.metered_quantity
        end as rated_technical_quantity,
        case
            when b.basis = 'billed' and u.invoice_id is not null then u.on_time_commercial_quantity
            else u.commercial_quantity
        end as rated_quantity
    from usage as u
    cross join bases as b
    left join currencies as c on u.currency = c.currency
    where b.basis = 'billed' or (u.invoice_id is not null and u.late_quantity > 0)
),

-- quantities and prices as whole nano-units (10^-9) so tier arithmetic stays exact
tiered as (
    select
        r.*,
        t.pricing_model,
        t.tier,
        t.tier_count,
        t.up_to,
        t.lower_bound,
        t.unit_price,
        t.flat_fee,
        coalesce(t.included_units, 0) as included_units,
        greatest(
            {{ scaled_int('r.rated_quantity') }} - {{ scaled_int('coalesce(t.included_units, 0)') }},
            cast(0 as {{ wide_integer_type() }})
        ) as billable_nano,
        {{ scaled_int('t.lower_bound') }} as lower_nano,
        {{ scaled_int('t.up_to') }} as up_to_nano,
        {{ scaled_int('t.unit_price') }} as price_nano,
        {{ scaled_int('t.flat_fee') }} as flat_fee_nano,
        -- within the bounds where units x price stays inside 128-bit integers (vars rating_max_*)
        coalesce(bool_and(
            coalesce(r.rated_quantity, 0) <= {{ var('rating_max_quantity') }}
            and coalesce(t.up_to, 0) <= {{ var('rating_max_quantity') }}
            and coalesce(t.unit_price, 0) <= {{ var('rating_max_unit_price') }}
            and coalesce(t.flat_fee, 0) <= {{ var('rating_max_flat_fee') }}
        ) over (partition by r.subscription_id, r.metric, r.billing_period), true) as is_in_range
    from rated as r
    left join price_terms as t on r.amendment_id = t.amendment_id and r.metric = t.metric
),

units as (
    select
        *,
        case
            when pricing_model = 'per_unit' then case when tier = 1 then billable_nano else 0 end
            when pricing_model = 'graduated'
                then greatest(least(billable_nano, coalesce(up_to_nano, billable_nano)) - lower_nano, 0)
            when pricing_model = 'volume'
                then case
                    when billable_nano > lower_nano and (up_to_nano is null or billable_nano <= up_to_nano)
                        then billable_nano
                    else 0
                end
            else 0
        end as units_nano,
        case
            when pricing_model = 'per_unit' then tier = 1 and billable_nano > 0
            when pricing_model = 'graduated' then billable_nano > lower_nano
            when pricing_model = 'volume'
                then billable_nano > lower_nano and (up_to_nano is null or billable_nano <= up_to_nano)
            else false
        end as is_touched
    from tiered
),

-- exact tier amounts in 10^-18 major units: units x price (+ the flat fee of a tier reached)
tier_amounts as (
    select
        *,
        case
            when not is_in_range then null
            when is_touched and pricing_model <> 'per_unit'
                then units_nano * price_nano + flat_fee_nano * cast(1000000000 as {{ wide_integer_type() }})
            when is_touched then units_nano * price_nano
            else cast(0 as {{ wide_integer_type() }})
        end as tier_amount_atto
    from units
),

line_amounts as (
    select
        *,
        sum(tier_amount_atto) over (
            partition by subscription_id, metric, billing_period, segment_number, basis
        ) as line_amount_atto,
        case
            when is_touched
                then {{ div_half_even('tier_amount_atto * ' ~ pow10_int('minor_units'), '1000000000000000000') }}
            else cast(0 as {{ wide_integer_type() }})
        end as tier_rounded_minor,
        sum(case when is_touched then 1 else 0 end) over (
            partition by subscription_id, metric, billing_period, segment_number, basis
        ) as tiers_touched,
        row_number() over (
            partition by subscription_id, metric, billing_period, segment_number, basis
            order by case when is_touched then 0 else 1 end, tier_amount_atto desc, tier desc
        ) as remainder_rank,
        row_number() over (
            partition by subscription_id, metric, billing_period, segment_number, basis order by tier
        ) as tier_row_number
    from tier_amounts
),

rounded as (
    select
        *,
        {{ div_half_even('line_amount_atto * ' ~ pow10_int('minor_units'), '1000000000000000000') }}
            as line_amount_minor,
        sum(tier_rounded_minor) over (
            partition by subscription_id, metric, billing_period, segment_number, basis
        ) as tiers_rounded_minor
    from line_amounts
),

all_usage_lines as (
    select
        subscription_id,
        metric,
        billing_period,
        segment_number,
        line_amount_minor as all_usage_amount_minor
    from rounded
    where basis = 'all' and tier_row_number = 1
),

billed_basis as (
    select
        r.*,
        case
            when r.line_amount_minor is not null
                then coalesce(a.all_usage_amount_minor - r.line_amount_minor, 0)
        end as late_usage_amount_minor
    from rounded as r
    left join all_usage_lines as a
        on
            r.subscription_id = a.subscription_id
            and r.metric = a.metric
            and r.billing_period = a.billing_period
            and r.segment_number = a.segment_number
    where r.basis = 'billed'
)

select
    subscription_id,
    metric,
    billing_period,
    segment_number,
    segment_count,
    segment_start,
    segment_end,
    contract_id,
    contract_version,
    amendment_id,
    plan_code,
    legal_entity,
    currency,
    minor_units,
    invoice_id,
    is_invoiced,
    commercial_unit,
    unit_divisor,
    metered_quantity,
    late_quantity,
    rated_technical_quantity,
    commercial_quantity,
    rated_quantity,
    included_units,
    cast(billable_nano as decimal(38, 0)) * 0.000000001 as billable_quantity,
    pricing_model,
    tier_count,
    tiers_touched,
    case
        when not coalesce(is_mapped, false) or contract_version is null then 'unmapped'
        when pricing_model is null then 'no_price_terms'
        when minor_units is null then 'unknown_currency'
        when not is_in_range then 'out_of_range'
        else 'rated'
    end as rating_status,
    tier,
    lower_bound as tier_lower_bound,
    up_to as tier_upper_bound,
    unit_price,
    case when is_touched and pricing_model <> 'per_unit' then flat_fee else 0 end as flat_fee_charged,
    cast(units_nano as decimal(38, 0)) * 0.000000001 as units_in_tier,
    is_touched,
    tier_row_number,
    tier_row_number = 1 as is_line_row,
    is_touched and remainder_rank = 1 as is_remainder_tier,
    {{ atto_to_decimal('tier_amount_atto') }} as tier_amount_exact,
    cast(
        tier_rounded_minor
        + case when is_touched and remainder_rank = 1 then line_amount_minor - tiers_rounded_minor else 0 end
        as bigint
    ) as tier_amount_minor,
    {{ atto_to_decimal('line_amount_atto') }} as line_amount_exact,
    cast(line_amount_minor as bigint) as line_amount_minor,
    cast(late_usage_amount_minor as bigint) as late_usage_amount_minor
from billed_basis
