{#- Records one system has and the identity map cannot link to the others. They stay in their
    marts; this lists them with the reason, so nothing unmapped goes unseen. -#}
with

accounts as (select * from {{ ref('stg_crm__accounts') }}),

contracts as (select * from {{ ref('stg_crm__contracts') }}),

stripe_customers as (select * from {{ ref('stg_billing__customers') }}),

stripe_subscriptions as (select * from {{ ref('stg_billing__subscriptions') }}),

stripe_products as (select * from {{ ref('stg_billing__products') }}),

netsuite_customers as (select * from {{ ref('stg_erp__customers') }}),

catalog as (select * from {{ ref('int_meters') }}),

-- metered usage whose key the identity map does not know (kept under the key as sent)
usage_subscriptions as (
    select
        subscription_id,
        count(*) as event_count
    from {{ ref('int_usage_events_metered') }}
    where meter_status = 'metered' and not is_resolved
    group by subscription_id
),

exceptions as (
    select
        'billing' as system,
        'customer' as record_type,
        sc.customer_id as record_id,
        'stripe_customer_without_crm_account' as reason,
        'no CRM account names this Stripe customer' as detail
    from stripe_customers as sc
    where
        not exists (
            select 1 from accounts as a
            where a.stripe_customer_id = sc.customer_id
        )

    union all

    select
        'crm' as system,
        'account' as record_type,
        a.account_id as record_id,
        'crm_account_without_stripe_customer' as reason,
        'stripe_customer_id ' || coalesce(a.stripe_customer_id, '(empty)') || ' is not in billing' as detail
    from accounts as a
    where
        not exists (
            select 1 from stripe_customers as sc
            where sc.customer_id = a.stripe_customer_id
        )

    union all

    select
        'crm' as system,
        'account' as record_type,
        a.account_id as record_id,
        'crm_account_without_netsuite_customer' as reason,
        'netsuite_customer_id ' || coalesce(cast(a.netsuite_customer_id as varchar), '(empty)')
        || ' is not in the ERP' as detail
    from accounts as a
    where
        not exists (
            select 1 from netsuite_customers as n
            where n.netsuite_customer_id = a.netsuite_customer_id
        )

    union all

    select
        'erp' as system,
        'customer' as record_type,
        cast(n.netsuite_customer_id as varchar) as record_id,
        'netsuite_customer_without_crm_account' as reason,
        'no CRM account names this NetSuite customer' as detail
    from netsuite_customers as n
    where
        not exists (
            select 1 from accounts as a
            where a.netsuite_customer_id = n.netsuite_customer_id
        )

    union all

    select
        'billing' as system,
        'subscription' as record_type,
        s.subscription_id as record_id,
        'subscription_without_contract' as reason,
        'no CRM contract bills through this subscription' as detail
    from stripe_subscriptions as s
    where
        not exists (
            select 1 from contracts as c
            where c.subscription_id = s.subscription_id
        )

    union all

    select
        'crm' as system,
        'contract' as record_type,
        c.contract_id as record_id,
        'contract_without_subscription' as reason,
        'billing_subscription_id ' || coalesce(c.subscription_id, '(empty)') || ' is not in billing' as detail
    from contracts as c
    where
        not exists (
            select 1 from stripe_subscriptions as s
            where s.subscription_id = c.subscription_id
        )

    union all

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
        'usage' as system,
        'subscription' as record_type,
        coalesce(u.subscription_id, '(none)') as record_id,
        'usage_for_unknown_subscription' as reason,
        cast(u.event_count as varchar)
        || ' metered events whose key names no subscription, customer or account' as detail
    from usage_subscriptions as u
)

select
    cast(system as varchar) as system,
    cast(record_type as varchar) as record_type,
    cast(record_id as varchar) as record_id,
    cast(reason as varchar) as reason,
    cast(detail as varchar) as detail
from exceptions
