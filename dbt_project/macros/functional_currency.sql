{#- An amount converted into the functional currency the way the ERP converts a journal line
    (int_billing_documents_converted): |amount x rate| scaled to the functional minor unit,
    rounded half-even, the sign put back. Exact: decimals scaled by powers of ten, no division. -#}
{% macro to_functional_half_even(amount, exchange_rate, minor_units) -%}
    {%- set exact -%}
        (abs(({{ amount }}) * ({{ exchange_rate }})) * case {{ minor_units }}
            when 0 then 1
            when 1 then 10
            when 2 then 100
            when 3 then 1000
            when 4 then 10000
        end)
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
