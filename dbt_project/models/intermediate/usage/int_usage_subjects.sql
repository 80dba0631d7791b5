{#- The identity map for usage keys: each key a product may put in an event's subject (a billing
    subscription id, a Stripe customer id, a CRM account id) with the subscription it bills
    through, and when: a subscription id always names its own subscription; a customer or account
    id names the subscription of its contract while that contract is in force (from its first
    version's start to its last version's end). A key that names several subscriptions at an
    event's time is ambiguous (int_usage_events_metered). -#}
with

contracts as (
    select
        subscription_id,
        account_id,
        stripe_customer_id,
        min(effective_from) as effective_from,
        -- open-ended when any version is
        case when bool_or(effective_to is null) then null else max(effective_to) end as effective_to
    from {{ ref('subscriptions') }}
    where subscription_id is not null
    group by subscription_id, account_id, stripe_customer_id
),

keys as (
    select
        subscription_id as subject_key,
        'subscription' as key_kind,
        subscription_id,
        account_id,
        stripe_customer_id,
        cast(null as date) as valid_from,
        cast(null as date) as valid_to
    from contracts

    union all

    select
        stripe_customer_id as subject_key,
        'billing_customer' as key_kind,
        subscription_id,
        account_id,
        stripe_customer_id,
        effective_from as valid_from,
        effective_to as valid_to
    from contracts
    where stripe_customer_id is not null

    union all

    select
        account_id as subject_key,
        'crm_account' as key_kind,
        subscription_id,
        account_id,
        stripe_customer_id,
        effective_from as valid_from,
        effective_to as valid_to
    from contracts
    where account_id is not null
)

select
    cast(subject_key as varchar) as subject_key,
    cast(key_kind as varchar) as key_kind,
    cast(subscription_id as varchar) as subscription_id,
    cast(account_id as varchar) as account_id,
    cast(stripe_customer_id as varchar) as stripe_customer_id,
    cast(valid_from as date) as valid_from,
    cast(valid_to as date) as valid_to
from keys
