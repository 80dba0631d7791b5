with

source as (
    {{ latest_delivery(
        "select * from " ~ source('crm', 'contract_price_terms'),
        ['amendment_id', 'metric', 'tier']
    ) }}
),

renamed as (
    select
        amendment_id,
        metric,
        pricing_model,
        tier,
        up_to,
        unit_price,
        flat_fee,
        included_units,
        unit_divisor,
        rounding,
        overage_allowed,
        plan_limit,
        batch_id,
        landed_at
    from source
)

select * from renamed
