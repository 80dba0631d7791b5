{#- Records one system has and the identity map cannot link to the others, and references to
    records the extracts do not hold (a credit note whose invoice is not in the billing extract,
    a partial delivery). They stay in their marts, and the relationship tests on them only warn:
    this lists them with the reason, so nothing unmapped goes unseen and nothing fails the build. -#}
with

accounts as (select * from {{ ref('stg_crm__accounts') }}),

contracts as (select * from {{ ref('stg_crm__contracts') }}),

stripe_customers as (select * from {{ ref('stg_billing__customers') }}),

stripe_subscriptions as (select * from {{ ref('stg_billing__subscriptions') }}),

stripe_products as (select * from {{ ref('stg_billing__products') }}),

netsuite_customers as (select * from {{ ref('stg_erp__customers') }}),

catalog as (select * from {{ ref('product_catalog') }}),

stripe_invoices as (select * from {{ ref('stg_billing__invoices') }}),

stripe_credit_notes as (select * from {{ ref('stg_billing__credit_notes') }}),

stripe_charges as (select * from {{ ref('int_billing_charges_linked') }}),

stripe_refunds as (select * from {{ ref('stg_billing__refunds') }}),

stripe_credit_note_refunds as (select * from {{ ref('stg_billing__credit_note_refunds') }}),

stripe_prices as (select * from {{ ref('stg_billing__prices') }}),

stripe_price_tiers as (select * from {{ ref('stg_billing__price_tiers') }}),

subsidiaries as (select * from {{ ref('stg_erp__subsidiaries') }}),

entities as (select * from {{ ref('legal_entities') }}),

usage_subscriptions as (
    select
        subscription_id,
        count(*) as event_count
    from {{ ref('int_usage_events_deduplicated') }}
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
        'metric ' || p.metric || ' is not in the product catalog' as detail
    from stripe_products as p
    where
        p.metric is not null and not exists (
            select 1 from catalog as k
            where k.metric = p.metric
        )

    union all

    select
        'billing' as system,
        'invoice' as record_type,
        i.invoice_id as record_id,
        'invoice_customer_not_in_billing' as reason,
        'customer ' || i.customer_id || ' is not in the billing extract' as detail
    from stripe_invoices as i
    where
        not exists (
            select 1 from stripe_customers as sc
            where sc.customer_id = i.customer_id
        )

    union all

    select
        'billing' as system,
        'credit_note' as record_type,
        cn.credit_note_id as record_id,
        'credit_note_invoice_not_in_billing' as reason,
        'invoice ' || cn.invoice_id || ' is not in the billing extract' as detail
    from stripe_credit_notes as cn
    where
        not exists (
            select 1 from stripe_invoices as i
            where i.invoice_id = cn.invoice_id
        )

    union all

    select
        'billing' as system,
        'charge' as record_type,
        ch.charge_id as record_id,
        'charge_invoice_not_in_billing' as reason,
        'invoice ' || ch.invoice_id || ' (' || ch.invoice_link || ') is not in the billing extract' as detail
    from stripe_charges as ch
    where
        ch.invoice_id is not null
        and not exists (
            select 1 from stripe_invoices as i
            where i.invoice_id = ch.invoice_id
        )

    union all

    select
        'billing' as system,
        'refund' as record_type,
        r.refund_id as record_id,
        'refund_charge_not_in_billing' as reason,
        'charge ' || r.charge_id || ' is not in the billing extract' as detail
    from stripe_refunds as r
    where
        not exists (
            select 1 from stripe_charges as ch
            where ch.charge_id = r.charge_id
        )

    union all

    select
        'billing' as system,
        'credit_note' as record_type,
        r.credit_note_id as record_id,
        'credit_note_refund_not_in_billing' as reason,
        'refund ' || r.refund_id || ' is not in the billing extract' as detail
    from stripe_credit_note_refunds as r
    where
        r.refund_id is not null
        and not exists (
            select 1 from stripe_refunds as sr
            where sr.refund_id = r.refund_id
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

    union all

    select
        'erp' as system,
        'subsidiary' as record_type,
        cast(s.subsidiary_id as varchar) as record_id,
        'subsidiary_without_tranprefix' as reason,
        'no tranprefix: the legal entity is named by its internal id, no CRM code names it' as detail
    from subsidiaries as s
    where s.legal_entity_code is null and not s.is_elimination

    union all

    select
        'crm' as system,
        'account' as record_type,
        a.account_id as record_id,
        'legal_entity_not_in_erp' as reason,
        'legal entity ' || a.legal_entity_code || ' is no subsidiary tranprefix in the ERP' as detail
    from accounts as a
    where
        not exists (
            select 1 from entities as e
            where e.legal_entity = a.legal_entity_code
        )

    union all

    select
        'usage' as system,
        'subscription' as record_type,
        coalesce(u.subscription_id, '(none)') as record_id,
        'usage_for_unknown_subscription' as reason,
        cast(u.event_count as varchar) || ' events for a subscription no contract knows' as detail
    from usage_subscriptions as u
    where not exists (
        select 1 from contracts as c
        where c.subscription_id = u.subscription_id
    )
)

select
    cast(system as varchar) as system,
    cast(record_type as varchar) as record_type,
    cast(record_id as varchar) as record_id,
    cast(reason as varchar) as reason,
    cast(detail as varchar) as detail
from exceptions
