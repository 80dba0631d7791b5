{#- Money is exact: never divide (DuckDB divides decimals into DOUBLE); scale by multiplying
    with an exact decimal power of ten instead. -#}

{#- 10 to the power of minus a currency's minor units (0..4), as an exact decimal. -#}
{% macro pow10_fraction(digits) -%}
    case {{ digits }}
        when 0 then 1.0000
        when 1 then 0.1000
        when 2 then 0.0100
        when 3 then 0.0010
        when 4 then 0.0001
    end
{%- endmacro %}

{#- An amount in minor units as major units. `scale` 12 keeps Stripe's unit_amount_decimal, which
    carries up to 12 decimals of the minor unit. -#}
{% macro minor_to_major(amount_minor, minor_units, scale=9) -%}
    cast(
        cast({{ amount_minor }} as decimal(38, {{ scale }})) * {{ pow10_fraction(minor_units) }}
        as decimal(38, {{ scale }})
    )
{%- endmacro %}

{#- A decimal quantity divided by a whole divisor, rounded to a whole number up (ceiling) or down
    (floor), computed exactly on scaled integers (no DOUBLE on the way). -#}
{% macro divide_to_whole(quantity, divisor, rounding) -%}
    {%- set numerator = scaled_int(quantity) -%}
    {%- set denominator = scaled_int(divisor) -%}
    (
        {{ div_floor(numerator, denominator) }}
        + case
            when {{ rounding }} = 'up' and {{ mod_int(numerator, denominator) }} > 0 then 1
            else 0
        end
    )
{%- endmacro %}
