{#- Stripe balance transactions in major units of their settlement currency (Stripe's own
    precision for it): what payments and refunds report as settled, fee and net. -#}
with

balance_transactions as (
    select
        balance_transaction_id,
        currency,
        amount_minor,
        fee_minor,
        net_minor,
        exchange_rate
    from {{ ref('stg_billing__balance_transactions') }}
),

currencies as (
    select
        currency,
        stripe_minor_units
    from {{ ref('currencies') }}
)

select
    b.balance_transaction_id,
    b.currency as settlement_currency,
    {{ minor_to_major('b.amount_minor', 'c.stripe_minor_units') }} as settlement_amount,
    {{ minor_to_major('b.fee_minor', 'c.stripe_minor_units') }} as fee,
    {{ minor_to_major('b.net_minor', 'c.stripe_minor_units') }} as net,
    b.exchange_rate
from balance_transactions as b
left join currencies as c on b.currency = c.currency
