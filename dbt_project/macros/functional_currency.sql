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
