{#- Each Stripe customer with the one CRM account it maps to (the lowest account id, should two
    accounts name the same customer), and that account's legal entity, region and functional
    currency: the lookup every billing mart uses. -#}
with

ranked as (
    select
        stripe_customer_id,
        account_id,
        legal_entity,
        region,
        functional_currency,
        row_number() over (partition by stripe_customer_id order by account_id) as account_rank
    from {{ ref('customers') }}
    where stripe_customer_id is not null
)

select
    stripe_customer_id,
    account_id,
    legal_entity,
    region,
    functional_currency
from ranked
where account_rank = 1
