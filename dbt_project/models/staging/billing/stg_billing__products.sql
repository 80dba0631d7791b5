with

source as (
    {{ latest_delivery("select * from " ~ source('billing', 'products'), ['id']) }}
),

renamed as (
    select
        id as product_id,
        created as created_at,
        name as product_name,
        active as is_active,
        unit_label,
        metadata_sku as sku,
        nullif(metadata_metric, '') as metric,
        metadata_gl_revenue_account as gl_revenue_account,
        metadata,
        {{ landing_lineage() }}
    from source
)

select * from renamed
