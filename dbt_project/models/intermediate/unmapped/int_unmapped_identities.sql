{#- Customers and subscriptions one system has and the identity map cannot link to the others (CRM
    accounts and contracts, Stripe customers and subscriptions, NetSuite customers): one row per
    record and reason; unmapped_records lists them all. -#}
with

accounts as (select * from {{ ref('stg_crm__accounts') }}),

contracts as (select * from {{ ref('stg_crm__contracts') }}),

stripe_customers as (select * from {{ ref('stg_billing__customers') }}),

stripe_subscriptions as (select * from {{ ref('stg_billing__subscriptions') }}),

netsuite_customers as (select * from {{ ref('stg_erp__customers') }})

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
    'netsuite_customer_id ' || coalesce(cast(a.netsuite_customer_id as string), '(empty)')
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
    cast(n.netsuite_customer_id as string) as record_id,
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
