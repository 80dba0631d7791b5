{#- An amount converted into the functional currency the way the ERP converts a journal line
    (int_billing_documents_converted): |amount x rate| scaled to the functional minor unit,
    rounded half-even, the sign put back. Exact: decimals scaled by powers of ten, no division. -#}
{% macro to_functional_half_even(amount, exchange_rate, minor_units) -%}
    {%- set exact -%}
        (abs(({{ amount }}) * ({{ exchange_rate }})) * {{ pow10_int(minor_units) }})
    {%- endset -%}
    cast(
        sign({{ amount }})
        * (
            floor({{ exact }})
            + case
                when {{ exact }} - floor({{ exact }}) > 0.5 then 1
                when {{ exact }} - floor({{ exact }}) = 0.5 and mod(floor({{ exact }}), 2) = 1 then 1
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
        sign({{ amount }})
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
