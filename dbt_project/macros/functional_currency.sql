{#- An amount converted into the functional currency the way the ERP converts a journal line
    (int_billing_documents_converted): |amount x rate| scaled to the functional minor unit,
    rounded half-even, the sign put back. `amount` has at most 9 decimals, `exchange_rate` at most
    12 (decimal(38, 9) and decimal(38, 12)).

    Exact, and without overflow for any amount a Stripe integer can carry: the product is taken on
    whole numbers (HUGEINT), A = |amount| x 10^9 and R = rate x 10^12, and divided by
    D = 10^(21 - minor units) by parts, A = q x D + r: A x R / D = q x R + r x R / D, so no
    intermediate exceeds 10^38 (a DECIMAL(38, 21) product overflows past 10^17). -#}
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
        sign({{ amount }})
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
