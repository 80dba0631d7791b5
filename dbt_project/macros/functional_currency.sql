{#- An amount converted into the functional currency the way the ERP converts a journal line
    (int_billing_documents_converted): |amount x rate| scaled to the functional minor unit,
    rounded half-even, the sign put back. `amount` has at most 9 decimals, `exchange_rate` at most
    12 (decimal(38, 9) and decimal(38, 12)).

    Exact, and without overflow for any amount a Stripe integer can carry: the product is taken on
    whole numbers (HUGEINT), A = |amount| x 10^9 and R = rate x 10^12, and divided by
    D = 10^(21 - minor units) by parts, A = q x D + r: A x R / D = q x R + r x R / D, so no
    intermediate exceeds 10^38 (a DECIMAL(38, 21) product overflows past 10^17). On Spark
    (div_floor there) the quotients stay below 10^20 for any rate below 10^8 and any amount below
    10^24 major units at 3 or 4 minor units (10^29 at 0 to 2); past that the build stops. -#}
{% macro to_functional_half_even(amount, exchange_rate, minor_units) -%}
    {%- set a = scaled_int('abs(' ~ amount ~ ')', 9) -%}
    {%- set r = scaled_int(exchange_rate, 12) -%}
    {%- set d -%}
        cast(
            case {{ minor_units }}
                when 0 then 1000000000000000000000
                when 1 then 100000000000000000000
                when 2 then 10000000000000000000
                when 3 then 1000000000000000000
                when 4 then 100000000000000000
            end
            as {{ wide_integer_type() }}
        )
    {%- endset -%}
    {%- set whole -%}
        (({{ div_floor(a, d) }}) * {{ r }} + {{ div_floor(mod_int(a, d) ~ ' * ' ~ r, d) }})
    {%- endset -%}
    {%- set left_over = mod_int(mod_int(a, d) ~ ' * ' ~ r, d) -%}
    cast(
        {{ exact_sign(amount) }}
        * (
            {{ whole }}
            + case
                when 2 * {{ left_over }} > {{ d }} then 1
                when 2 * {{ left_over }} = {{ d }} and {{ mod_int(whole, '2') }} = 1 then 1
                else 0
            end
        )
        * {{ pow10_fraction(minor_units) }}
        as decimal(38, 9)
    )
{%- endmacro %}

{#- An amount converted along a rate path of int_exchange_rates_by_period: at `first_rate` when
    `second_rate` is null (a direct rate), else triangulated, |amount| x first_rate x second_rate
    rounded half-even once, at the end, to the minor unit. Exact without overflowing DECIMAL(38):
    amount (at most 4 decimals, the largest minor unit) x first_rate is split into its whole part
    and its fraction, each multiplied by second_rate; the wholes and fractions are summed apart. -#}
{% macro convert_half_even(amount, first_rate, second_rate, minor_units) -%}
    case
        when ({{ second_rate }}) is null
            then {{ to_functional_half_even(amount, first_rate, minor_units) }}
        else {{ cross_rate_half_even(amount, first_rate, second_rate, minor_units) }}
    end
{%- endmacro %}

{% macro cross_rate_half_even(amount, first_rate, second_rate, minor_units) -%}
    {%- set first_leg -%}
        (cast(abs({{ amount }}) as decimal(38, 4)) * cast({{ first_rate }} as decimal(38, 12)))
    {%- endset -%}
    {%- set whole_part -%}
        (floor({{ first_leg }}) * cast({{ second_rate }} as decimal(38, 12)) * {{ pow10_int(minor_units) }})
    {%- endset -%}
    {%- set fraction_part -%}
        (({{ first_leg }} - floor({{ first_leg }})) * cast({{ second_rate }} as decimal(38, 12))
        * {{ pow10_int(minor_units) }})
    {%- endset -%}
    {%- set fractions -%}
        (({{ whole_part }} - floor({{ whole_part }})) + ({{ fraction_part }} - floor({{ fraction_part }})))
    {%- endset -%}
    {%- set units -%}
        (floor({{ whole_part }}) + floor({{ fraction_part }}) + floor({{ fractions }}))
    {%- endset -%}
    {%- set remainder -%}
        ({{ fractions }} - floor({{ fractions }}))
    {%- endset -%}
    cast(
        {{ exact_sign(amount) }}
        * (
            {{ units }}
            + case
                when {{ remainder }} > 0.5 then 1
                when {{ remainder }} = 0.5 and mod({{ units }}, 2) = 1 then 1
                else 0
            end
        )
        * {{ pow10_fraction(minor_units) }}
        as decimal(38, 9)
    )
{%- endmacro %}

{#- The functional amounts rule (doc block functional_amounts_rule), the lookup half: join a row
    in `currency` to the rate path of `fiscal_period` into `functional_currency`
    (int_exchange_rates_by_period) as `alias`, and the functional currency's minor unit as
    `alias`_minor. Select its columns with rate_path_columns, convert with to_functional. -#}
{% macro join_rate_path(fiscal_period, currency, functional_currency, alias) -%}
    left join {{ ref('int_exchange_rates_by_period') }} as {{ alias }}
        on
            {{ fiscal_period }} = {{ alias }}.fiscal_period
            and {{ currency }} = {{ alias }}.from_currency
            and {{ functional_currency }} = {{ alias }}.to_currency
    left join {{ ref('currencies') }} as {{ alias }}_minor on {{ functional_currency }} = {{ alias }}_minor.currency
{%- endmacro %}

{#- The rate path of a row joined by join_rate_path: identity (rate 1) when the currency is the
    functional one, else the period's rate path; exchange_rate null when there is none. -#}
{% macro rate_path_columns(currency, functional_currency, alias) -%}
    case when {{ currency }} = {{ functional_currency }} then 'identity' else {{ alias }}.conversion_path end
        as conversion_path,
    cast(
        case when {{ currency }} = {{ functional_currency }} then 1 else {{ alias }}.average_rate end
        as decimal(38, 12)
    ) as exchange_rate,
    case when {{ currency }} = {{ functional_currency }} then 1 else {{ alias }}.first_rate end as first_rate,
    case when {{ currency }} <> {{ functional_currency }} then {{ alias }}.second_rate end as second_rate,
    {{ alias }}_minor.minor_units as functional_minor_units
{%- endmacro %}

{#- `amount` in the functional currency along the rate path rate_path_columns selected (null
    without one), rounded half-even to the functional minor unit. -#}
{% macro to_functional(amount) -%}
    {{ convert_half_even(amount, 'first_rate', 'second_rate', 'functional_minor_units') }}
{%- endmacro %}
