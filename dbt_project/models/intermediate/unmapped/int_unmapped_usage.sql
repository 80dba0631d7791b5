{#- Metered usage whose key the identity map does not know (kept under the key as sent): one row per
    record and reason; unmapped_records lists them all. -#}
with

usage_subscriptions as (
    select
        subscription_id,
        count(*) as event_count
    from {{ ref('int_usage_events_metered') }}
    where meter_status = 'metered' and not is_resolved
    group by subscription_id
)

select
    'usage' as system,
    'subscription' as record_type,
    coalesce(u.subscription_id, '(none)') as record_id,
    'usage_for_unknown_subscription' as reason,
    cast(u.event_count as string)
    || ' metered events whose key names no subscription, customer or account' as detail
from usage_subscriptions as u
