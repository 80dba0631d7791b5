{#- What is sold but cannot be booked or metered: products without a revenue account or a meter, CRM
    price terms on a metric no meter counts, tiered prices delivered without their tiers: one row
    per record and reason; unmapped_records lists them all. -#}
with

stripe_products as (select * from {{ ref('stg_billing__products') }}),

catalog as (select * from {{ ref('int_meters') }}),

stripe_prices as (select * from {{ ref('stg_billing__prices') }}),

stripe_price_tiers as (select * from {{ ref('stg_billing__price_tiers') }})

select
    'billing' as system,
    'product' as record_type,
    p.product_id as record_id,
    'product_without_gl_account' as reason,
    'product has no gl_revenue_account in its metadata' as detail
from stripe_products as p
where p.gl_revenue_account is null

union all

select
    'billing' as system,
    'product' as record_type,
    p.product_id as record_id,
    'product_metric_not_in_catalog' as reason,
    'metric ' || p.metric || ' has no meter (seed meters)' as detail
from stripe_products as p
where
    p.metric is not null and not exists (
        select 1 from catalog as k
        where k.metric = p.metric
    )

union all

select
    'crm' as system,
    'price_term' as record_type,
    t.amendment_id || ' ' || t.metric as record_id,
    'price_terms_metric_without_meter' as reason,
    'metric ' || t.metric || ' has no meter (seed meters): nothing is metered to rate' as detail
from (
    select distinct
        amendment_id,
        metric
    from {{ ref('stg_crm__contract_price_terms') }}
) as t
where
    not exists (
        select 1 from catalog as k
        where k.metric = t.metric
    )

union all

select
    'billing' as system,
    'price' as record_type,
    p.price_id as record_id,
    'tiered_price_without_tiers' as reason,
    'no delivery of this tiered price carried its tiers (expand[]=tiers)' as detail
from stripe_prices as p
where
    p.billing_scheme = 'tiered'
    and not exists (
        select 1 from stripe_price_tiers as t
        where t.price_id = p.price_id
    )
