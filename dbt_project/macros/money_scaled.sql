{#- minor_to_major (macros/money.sql) at a finer scale, for unit prices: Stripe's
    unit_amount_decimal carries up to 12 decimals of the minor unit, so a decimal(38, 9) result
    could cut digits. Exact: scaled by multiplying with a decimal power of ten, never divided. -#}
{% macro minor_to_major_scaled(amount_minor, minor_units, scale=12) -%}
    cast(
        cast({{ amount_minor }} as decimal(38, {{ scale }}))
        * case {{ minor_units }}
            when 0 then 1.0000
            when 1 then 0.1000
            when 2 then 0.0100
            when 3 then 0.0010
            when 4 then 0.0001
        end
        as decimal(38, {{ scale }})
    )
{%- endmacro %}
