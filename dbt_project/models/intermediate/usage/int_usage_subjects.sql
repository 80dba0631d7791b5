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

-- each contract under each kind of key that can name it
keys as (
    select
        case k.key_kind
            when 'subscription' then c.subscription_id
            when 'billing_customer' then c.stripe_customer_id
            else c.account_id
        end as subject_key,
        k.key_kind,
        c.subscription_id,
        c.account_id,
        c.stripe_customer_id,
        -- a subscription id names its subscription always, the other keys while it is in force
        case when k.key_kind <> 'subscription' then c.effective_from end as valid_from,
        case when k.key_kind <> 'subscription' then c.effective_to end as valid_to
    from contracts as c
    cross join (
        values ('subscription'), ('billing_customer'), ('crm_account')
    ) as k (key_kind)
)

select
    cast(subject_key as string) as subject_key,
    cast(key_kind as string) as key_kind,
    cast(subscription_id as string) as subscription_id,
    cast(account_id as string) as account_id,
    cast(stripe_customer_id as string) as stripe_customer_id,
    cast(valid_from as date) as valid_from,
    cast(valid_to as date) as valid_to
from keys
where subject_key is not null
