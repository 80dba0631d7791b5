with

source as (
    {{ latest_delivery("select * from " ~ source('billing', 'subscription_items'), ['id']) }}
),

renamed as (
    select
        id as subscription_item_id,
        subscription as subscription_id,
        line_index as item_index,
        price_id,
        price_product as product_id,
        quantity,
        current_period_start,
        current_period_end,
        {{ landing_lineage() }}
    from source
)

select * from renamed
