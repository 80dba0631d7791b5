{#- A model's column rules in one test: `not_null` columns hold no null, `unique` columns hold
    no value twice (nulls aside), `accepted_values` columns hold only their listed values
    (nulls aside), as dbt's own not_null, unique and accepted_values tests define them. One test
    per model, not one per column and rule: each dbt test is a node, and a node costs about 50 ms
    of dbt's own time whatever its query (Jinja context, events, transaction); the per-column
    tests were 334 of a full run's 520 nodes. One scan counts the nulls and the other values;
    each unique column is one group-by, as in dbt's test. A failure is one row per broken rule:
    the rule, the column and its failures (rows with a null or another value; values repeated).
    A value list's strings are quoted (dbt's escape_single_quotes), its numbers and booleans are
    not. On an append-only model, new_column / checked_through let the not_null and
    accepted_values rules (a row breaks them alone) read only the rows after the mark of
    tests_passed_through, so their cost follows the new rows; unique still reads every row. -#}
{% test column_rules(model, not_null=[], unique=[], accepted_values={}, new_column=none, checked_through=none) %}
{%- set checked = tests_passed_through(model, new_column, checked_through) %}
{#- (rule, column, the condition of a failing row): counted in one scan -#}
{%- set counted = [] %}
{%- for column in not_null %}
    {%- do counted.append(("not_null", column, column ~ " is null")) %}
{%- endfor %}
{%- for column, values in accepted_values.items() %}
    {%- set listed = [] %}
    {%- for value in values %}
        {%- if value is string %}
            {%- do listed.append("'" ~ escape_single_quotes(value) ~ "'") %}
        {%- else %}
            {%- do listed.append(value | string | lower) %}
        {%- endif %}
    {%- endfor %}
    {%- do counted.append(("accepted_values", column, column ~ " not in (" ~ listed | join(", ") ~ ")")) %}
{%- endfor %}
{#- one select per rule, each giving (rule, column_name, failures) -#}
{%- set broken = [] %}
{%- for rule, column, failing in counted %}
    {%- do broken.append(
        "select '" ~ rule ~ "' as rule, '" ~ column ~ "' as column_name, failures_"
        ~ loop.index ~ " as failures from counts") %}
{%- endfor %}
{%- for column in unique %}
    {%- do broken.append(
        "select 'unique' as rule, '" ~ column ~ "' as column_name, count(*) as failures from ("
        ~ " select " ~ column ~ " from " ~ model ~ " where " ~ column ~ " is not null"
        ~ " group by " ~ column ~ " having count(*) > 1) as repeated") %}
{%- endfor %}
with

{% if counted -%}
counts as (
    select
        {%- for rule, column, failing in counted %}
        sum(case when {{ failing }} then 1 else 0 end) as failures_{{ loop.index }}
        {{- "," if not loop.last }}
        {%- endfor %}
    from {{ model }}
    {%- if checked %}
    where {{ new_column }} > {{ checked }}
    {%- endif %}
),
{%- endif %}

broken as (
    {{ broken | join("\n    union all\n    ") }}
)

select
    rule,
    column_name,
    failures
from broken
where failures > 0
{% endtest %}
