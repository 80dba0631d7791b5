with

source as (
    {{ latest_delivery("select * from " ~ source('billing', 'invoice_lines'), ['id']) }}
),

renamed as (
    select
        id as invoice_line_id,
        invoice as invoice_id,
        line_index,
        layout,
        amount as amount_minor,
        upper(currency) as currency,
        description,
        quantity,
        period_start,
        period_end,
        coalesce(price_id, pricing_price_details_price) as price_id,
        coalesce(price_product, pricing_price_details_product) as product_id,
        coalesce(
            price_unit_amount_decimal,
            cast(price_unit_amount as decimal(38, 12)),
            pricing_unit_amount_decimal
        ) as unit_amount_decimal_minor,
        coalesce(
            proration,
            parent_subscription_item_details_proration,
            parent_invoice_item_details_proration,
            false
        ) as is_proration,
        coalesce(
            subscription,
            parent_subscription_item_details_subscription,
            parent_invoice_item_details_subscription
        ) as subscription_id,
        coalesce(
            subscription_item, parent_subscription_item_details_subscription_item
        ) as subscription_item_id,
        case
            when type is not null then type
            when parent_type = 'invoice_item_details' then 'invoiceitem'
            else 'subscription'
        end as line_type,
        coalesce(tax_amount, taxes_amount, 0) as tax_minor,
        {{ landing_lineage() }}
    from source
)

select * from renamed
