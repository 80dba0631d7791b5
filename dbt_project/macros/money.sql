{#- Money is exact: never divide (DuckDB divides decimals into DOUBLE); scale by multiplying
    with an exact decimal power of ten instead. -#}
{% macro minor_to_major(amount_minor, minor_units) -%}
    cast(
        cast({{ amount_minor }} as decimal(38, 0))
        * case {{ minor_units }}
            when 0 then 1.0000
            when 1 then 0.1000
            when 2 then 0.0100
            when 3 then 0.0010
            when 4 then 0.0001
        end
        as decimal(38, 9)
    )
{%- endmacro %}

{#- A decimal quantity divided by a whole divisor, rounded to a whole number up (ceiling) or down
    (floor), computed exactly on scaled integers (no DOUBLE on the way). -#}
{% macro divide_to_whole(quantity, divisor, rounding) -%}
    (
        (cast(({{ quantity }}) * 1000000000 as hugeint) // (cast(({{ divisor }}) as hugeint) * 1000000000))
        + case
            when {{ rounding }} = 'up'
                and cast(({{ quantity }}) * 1000000000 as hugeint)
                % (cast(({{ divisor }}) as hugeint) * 1000000000) > 0
                then 1
            else 0
        end
    )
{%- endmacro %}
