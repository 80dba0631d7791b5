{#- One row per invoice line (both Stripe layouts, unified in staging), amounts in major units,
    classified by what it bills (line_kind) and carrying its invoice's accounting dimensions,
    posting period and customer. -#}
with

lines as (
    select
        invoice_line_id,
        invoice_id,
        line_index,
        layout,
        amount_minor,
        tax_minor,
        currency,
        description,
        quantity,
        period_start,
        period_end,
        price_id,
        product_id,
        unit_amount_decimal_minor,
        is_proration,
        subscription_id,
        subscription_item_id,
        batch_id,
        landed_at
    from {{ ref('stg_billing__invoice_lines') }}
),

products as (
    select
        product_id,
        sku,
        metric,
        gl_revenue_account
    from {{ ref('stg_billing__products') }}
),

currencies as (
    select
        currency,
        stripe_minor_units
    from {{ ref('currencies') }}
),

invoices as (
    select
        invoice_id,
        customer_id,
        account_id,
        billing_period,
        finalized_at,
        posting_fiscal_period,
        legal_entity,
        region,
        functional_currency
    from {{ ref('invoices') }}
),

classified as (
    select
        l.*,
        p.sku,
        p.metric,
        p.gl_revenue_account,
        c.stripe_minor_units,
        case
            when l.is_proration then 'proration'
            when {{ is_minimum_commitment_line('p.sku', 'l.description') }} then 'minimum_commitment'
            when p.metric is not null then 'usage'
            when p.product_id is not null then 'platform_fee'
            else 'other'
        end as line_kind
    from lines as l
    left join products as p on l.product_id = p.product_id
    left join currencies as c on l.currency = c.currency
)

select
    cast(l.invoice_line_id as string) as invoice_line_id,
    cast(l.invoice_id as string) as invoice_id,
    cast(l.line_index as integer) as line_index,
    cast(l.line_kind as string) as line_kind,
    cast(l.description as string) as description,
    cast(l.metric as string) as metric,
    cast(l.product_id as string) as product_id,
    cast(l.price_id as string) as price_id,
    cast(l.sku as string) as sku,
    cast(l.gl_revenue_account as string) as gl_revenue_account,
    cast(l.quantity as decimal(38, 9)) as quantity,
    cast(
        {{ minor_to_major('l.unit_amount_decimal_minor', 'l.stripe_minor_units', scale=12) }}
        as decimal(38, 12)
    ) as unit_amount,
    cast({{ minor_to_major('l.amount_minor', 'l.stripe_minor_units') }} as decimal(38, 9)) as amount,
    cast({{ minor_to_major('l.tax_minor', 'l.stripe_minor_units') }} as decimal(38, 9)) as tax,
    cast(l.currency as string) as currency,
    cast(l.period_start as timestamp) as period_start,
    cast(l.period_end as timestamp) as period_end,
    cast(i.billing_period as string) as billing_period,
    cast(l.subscription_id as string) as subscription_id,
    cast(l.subscription_item_id as string) as subscription_item_id,
    cast(l.is_proration as boolean) as is_proration,
    cast(l.layout as string) as layout,
    cast(i.customer_id as string) as customer_id,
    cast(i.account_id as string) as account_id,
    cast(i.legal_entity as string) as legal_entity,
    cast(i.region as string) as region,
    cast(i.functional_currency as string) as functional_currency,
    cast(i.finalized_at as timestamp) as finalized_at,
    cast(i.posting_fiscal_period as string) as posting_fiscal_period,
    cast(l.batch_id as string) as batch_id,
    cast(l.landed_at as timestamp) as landed_at
from classified as l
left join invoices as i on l.invoice_id = i.invoice_id
