with

source as (
    {{ latest_delivery("select * from " ~ source('billing', 'prices'), ['id']) }}
),

renamed as (
    select
        id as price_id,
        created as created_at,
        product as product_id,
        upper(currency) as currency,
        active as is_active,
        billing_scheme,
        tiers_mode,
        tiers_included,
        unit_amount as unit_amount_minor,
        unit_amount_decimal as unit_amount_decimal_minor,
        recurring_interval,
        recurring_interval_count,
        recurring_usage_type,
        transform_quantity_divide_by,
        transform_quantity_round,
        metadata,
        {{ landing_lineage() }}
    from source
)

select * from renamed
