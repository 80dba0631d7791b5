with

source as (
    {{ latest_delivery("select * from " ~ source('billing', 'price_tiers'), ['price', 'line_index']) }}
),

renamed as (
    select
        price as price_id,
        line_index as tier_index,
        up_to,
        unit_amount as unit_amount_minor,
        unit_amount_decimal as unit_amount_decimal_minor,
        flat_amount as flat_amount_minor,
        {{ landing_lineage() }}
    from source
)

select * from renamed
