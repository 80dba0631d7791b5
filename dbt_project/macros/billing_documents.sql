{#- The lookups every Stripe document model makes, written once. -#}

{#- Join the currency seed (minor units, Stripe's minor units) of `currency_expr` as `alias`. -#}
{% macro join_currency(currency_expr, alias) -%}
    left join {{ ref('currencies') }} as {{ alias }} on {{ currency_expr }} = {{ alias }}.currency
{%- endmacro %}

{#- Join the settlement of a charge or refund (int_balance_transactions_converted: settlement
    currency and amount, fee, net, rate) by its balance transaction as `alias`. -#}
{% macro join_settlement(balance_transaction_expr, alias) -%}
    left join {{ ref('int_balance_transactions_converted') }} as {{ alias }}
        on {{ balance_transaction_expr }} = {{ alias }}.balance_transaction_id
{%- endmacro %}

{#- The settlement columns of a charge or refund joined by join_settlement as `alias`. -#}
{% macro settlement_columns(alias) -%}
    cast({{ alias }}.settlement_currency as string) as settlement_currency,
    cast({{ alias }}.settlement_amount as decimal(38, 9)) as settlement_amount,
    cast({{ alias }}.fee as decimal(38, 9)) as fee,
    cast({{ alias }}.net as decimal(38, 9)) as net,
    cast({{ alias }}.exchange_rate as decimal(38, 12)) as exchange_rate
{%- endmacro %}
