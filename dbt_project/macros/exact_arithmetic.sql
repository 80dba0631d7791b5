{#- Exact integer arithmetic for rating, proration and revenue allocation. Money is carried as
    whole numbers (minor units, or nano-units of a decimal(38, 9) value) and divided only here,
    as integers, so no decimal division (DOUBLE in DuckDB) touches an amount. DuckDB-only SQL
    (HUGEINT, the // integer division) sits behind adapter.dispatch like period_key. -#}

{#- A decimal with at most `digits` decimals as a whole number of 10^-digits units (exact). The
    whole part is scaled as an integer and the fraction on its own: multiplying the decimal itself
    overflows DECIMAL(38) past 10^(38 - scale - digits), a quantity or amount the contracts accept. -#}
{% macro scaled_int(expression, digits=9) -%}
    {{ return(adapter.dispatch('scaled_int')(expression, digits)) }}
{%- endmacro %}

{% macro default__scaled_int(expression, digits=9) -%}
    (
        cast(trunc({{ expression }}) as hugeint) * {{ 10 ** digits }}
        + cast((({{ expression }}) - trunc({{ expression }})) * {{ 10 ** digits }} as hugeint)
    )
{%- endmacro %}

{#- Spark has no 128-bit integer: DECIMAL(38, 0) is its widest exact type (the same 38 digits),
    `trunc` takes a format, and the profile turns off decimalOperations.allowPrecisionLoss so a
    product keeps its scale (and ANSI mode raises on overflow) as in DuckDB. -#}
{% macro spark__scaled_int(expression, digits=9) -%}
    (
        cast(({{ expression }}) - ({{ expression }}) % 1 as decimal(38, 0)) * {{ 10 ** digits }}
        + cast((({{ expression }}) % 1) * {{ 10 ** digits }} as decimal(38, 0))
    )
{%- endmacro %}

{#- 10 to the power of a currency's minor units (0..4), as a whole number. -#}
{% macro pow10_int(digits) -%}
    {{ return(adapter.dispatch('pow10_int')(digits)) }}
{%- endmacro %}

{% macro default__pow10_int(digits) -%}
    cast(
        case {{ digits }}
            when 0 then 1
            when 1 then 10
            when 2 then 100
            when 3 then 1000
            when 4 then 10000
        end
        as {{ wide_integer_type() }}
    )
{%- endmacro %}

{#- numerator / denominator of two whole numbers (denominator > 0), rounded half-even
    (banker's rounding) to a whole number; the sign follows the numerator. -#}
{% macro div_half_even(numerator, denominator) -%}
    {{ return(adapter.dispatch('div_half_even')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__div_half_even(numerator, denominator) -%}
    (
        case when cast({{ numerator }} as hugeint) < 0 then -1 else 1 end
        * (
            abs(cast({{ numerator }} as hugeint)) // cast({{ denominator }} as hugeint)
            + case
                when 2 * (abs(cast({{ numerator }} as hugeint)) % cast({{ denominator }} as hugeint))
                    > cast({{ denominator }} as hugeint)
                    then 1
                when 2 * (abs(cast({{ numerator }} as hugeint)) % cast({{ denominator }} as hugeint))
                    = cast({{ denominator }} as hugeint)
                    and (abs(cast({{ numerator }} as hugeint)) // cast({{ denominator }} as hugeint)) % 2 = 1
                    then 1
                else 0
            end
        )
    )
{%- endmacro %}

{#- Spark: the same rounding on its exact floor and remainder (below): `div` there returns a
    BIGINT that wraps silently past 2^63. -#}
{% macro spark__div_half_even(numerator, denominator) -%}
    {%- set n = 'abs(cast(' ~ numerator ~ ' as decimal(38, 0)))' -%}
    {%- set q = div_floor(n, denominator) -%}
    {%- set r = mod_int(n, denominator) -%}
    (
        case when cast({{ numerator }} as decimal(38, 0)) < 0 then -1 else 1 end
        * (
            {{ q }}
            + case
                when 2 * {{ r }} > cast({{ denominator }} as decimal(38, 0)) then 1
                when 2 * {{ r }} = cast({{ denominator }} as decimal(38, 0)) and {{ q }} % 2 = 1 then 1
                else 0
            end
        )
    )
{%- endmacro %}

{#- Floor of numerator / denominator for a numerator >= 0 and a denominator > 0. -#}
{% macro div_floor(numerator, denominator) -%}
    {{ return(adapter.dispatch('div_floor')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__div_floor(numerator, denominator) -%}
    (cast({{ numerator }} as hugeint) // cast({{ denominator }} as hugeint))
{%- endmacro %}

{#- Spark: by a power of ten written as a literal, a multiplication by its inverse (exact over
    all 38 digits); otherwise the remainder taken off and an exact decimal division, whose result
    type keeps 20 integer digits: a larger quotient stops the build with an error (dbt-spark runs
    with ANSI mode off, where the overflow would be a silent NULL), it is never rounded. -#}
{% macro spark__div_floor(numerator, denominator) -%}
    {%- set d = (denominator | string) | trim -%}
    {%- if d | length > 1 and d == '1' ~ ('0' * (d | length - 1)) -%}
        cast(floor(cast({{ numerator }} as decimal(38, 0)) * 0.{{ '0' * (d | length - 2) }}1) as decimal(38, 0))
    {%- else -%}
        coalesce(
            cast(
                (
                    cast({{ numerator }} as decimal(38, 0))
                    - cast({{ numerator }} as decimal(38, 0)) % cast({{ denominator }} as decimal(38, 0))
                )
                / cast({{ denominator }} as decimal(38, 0))
                as decimal(38, 0)
            ),
            case
                when ({{ numerator }}) is not null and ({{ denominator }}) is not null
                    then cast(raise_error('exact division out of range on Spark (quotient of 20 digits or more, or a zero divisor)') as decimal(38, 0))
            end
        )
    {%- endif -%}
{%- endmacro %}

{#- Remainder of numerator / denominator for a numerator >= 0 and a denominator > 0. -#}
{% macro mod_int(numerator, denominator) -%}
    {{ return(adapter.dispatch('mod_int')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__mod_int(numerator, denominator) -%}
    (cast({{ numerator }} as hugeint) % cast({{ denominator }} as hugeint))
{%- endmacro %}

{% macro spark__mod_int(numerator, denominator) -%}
    (cast({{ numerator }} as decimal(38, 0)) % cast({{ denominator }} as decimal(38, 0)))
{%- endmacro %}

{#- An exact amount in 10^-18 major units (HUGEINT) as a decimal(38, 18). -#}
{% macro atto_to_decimal(amount_atto) -%}
    cast(cast({{ amount_atto }} as decimal(38, 0)) * 0.000000000000000001 as decimal(38, 18))
{%- endmacro %}

{#- The key that pairs an expected invoice line with the billed one: subscription, billing period,
    line kind, metric, and for proration the change instant, the side (credit / charge) and the
    occurrence of that side at that instant. Both sides build it with this macro. -#}
{% macro invoice_line_match_key(subscription_id, billing_period, line_kind, metric, change_at, side, occurrence) -%}
    {{ dbt.concat([
        "coalesce(" ~ subscription_id ~ ", '')", "'|'",
        "coalesce(" ~ billing_period ~ ", '')", "'|'",
        "coalesce(" ~ line_kind ~ ", '')", "'|'",
        "coalesce(" ~ metric ~ ", '')", "'|'",
        "coalesce(cast(" ~ change_at ~ " as string), '')", "'|'",
        "coalesce(" ~ side ~ ", '')", "'|'",
        "cast(" ~ occurrence ~ " as string)",
    ]) }}
{%- endmacro %}

{#- The widest exact integer type: exact money arithmetic scales decimals to whole numbers in it.
    DuckDB's HUGEINT (128 bit); another engine names its own (Spark DECIMAL(38, 0), Trino INT128). -#}
{% macro wide_integer_type() -%}
    {{ return(adapter.dispatch('wide_integer_type')()) }}
{%- endmacro %}

{% macro default__wide_integer_type() -%}
    hugeint
{%- endmacro %}

{% macro spark__wide_integer_type() -%}
    decimal(38, 0)
{%- endmacro %}

{#- The sign of an exact number as -1, 0 or 1 (Spark's sign() returns a DOUBLE). -#}
{% macro exact_sign(expression) -%}
    {{ return(adapter.dispatch('exact_sign')(expression)) }}
{%- endmacro %}

{% macro default__exact_sign(expression) -%}
    sign({{ expression }})
{%- endmacro %}

{% macro spark__exact_sign(expression) -%}
    (case when ({{ expression }}) < 0 then -1 when ({{ expression }}) > 0 then 1 else 0 end)
{%- endmacro %}
