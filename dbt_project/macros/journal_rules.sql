{#- The one generic journal derivation (seed journal_rules, doc block journal_rules): every
    journal line is a journal source line (one amount of a document, a schedule or accrual row,
    or a realized FX difference) joined to the rules of its source_type and amount_source. The
    rule names the side (sign), the entry group, the memo and the account role: a role var
    (gl_account_…), or the account the source line carries (line_account: its GL mapping rule;
    line_revenue_account: the revenue account it is recognized into). Only a line account
    carries the line's dimensions and its review flag; a role account carries neither. -#}

{#- The role vars a rule may name (journal_rules.account_role, besides the line accounts). -#}
{% macro journal_role_account_vars() -%}
    {{ return([
        'gl_account_receivable',
        'gl_account_cash_clearing',
        'gl_account_tax_payable',
        'gl_account_processing_fees',
        'gl_account_realized_fx',
        'gl_account_unbilled_receivable',
    ]) }}
{%- endmacro %}

{#- What every journal line takes from its document, as `alias.column` (less `exclude`). -#}
{% macro journal_document_columns(alias, exclude=[]) -%}
    {%- set columns = [
        'customer_id', 'account_id', 'legal_entity', 'functional_currency', 'currency', 'batch_id'
    ] | reject('in', exclude) | list -%}
    {%- for column in columns %}
    {{ alias }}.{{ column }}{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- The shape of a journal source line: every derivation emits the columns it has, by name;
    the others are null. -#}
{% macro journal_source_line_columns() -%}
    {{ return({
        'source_type': 'string',
        'amount_source': 'string',
        'external_id': 'string',
        'journal_key': 'string',
        'source_id': 'string',
        'source_line_id': 'string',
        'invoice_id': 'string',
        'related_external_id': 'string',
        'entry_index': 'integer',
        'line_account': 'string',
        'line_is_fallback': 'boolean',
        'revenue_account': 'string',
        'revenue_is_fallback': 'boolean',
        'department': 'string',
        'class': 'string',
        'location': 'string',
        'description': 'string',
        'currency': 'string',
        'amount': 'decimal(38, 9)',
        'legal_entity': 'string',
        'functional_currency': 'string',
        'document_date': 'date',
        'customer_id': 'string',
        'account_id': 'string',
        'business_transaction_id': 'string',
        'batch_id': 'string',
    }) }}
{%- endmacro %}

{#- The journal lines of the source lines in `source_lines` (a CTE or relation with some of the
    columns above), one per matching rule, signed (debit > 0), zero amounts kept (the union
    int_journal_entries_derived leaves them out). -#}
{% macro journal_lines_from_rules(source_lines) -%}
    {%- set line_roles = ['line_account', 'line_revenue_account'] -%}
    select
        coalesce(l.external_id, {{ dbt.concat(['r.journal_id_prefix', 'l.journal_key']) }})
            as journal_id,
        l.source_type,
        r.source_system,
        l.source_id,
        l.source_line_id,
        l.invoice_id,
        l.related_external_id,
        r.entry_group,
        coalesce(l.entry_index, 0) as entry_index,
        case r.account_role
            when 'line_account' then l.line_account
            when 'line_revenue_account' then l.revenue_account
            {%- for role in journal_role_account_vars() %}
            when '{{ role }}' then '{{ var(role) }}'
            {%- endfor %}
        end as account,
        case when r.account_role in ('{{ line_roles | join("', '") }}') then l.department end
            as department,
        case when r.account_role in ('{{ line_roles | join("', '") }}') then l.class end as class,
        case when r.account_role in ('{{ line_roles | join("', '") }}') then l.location end
            as location,
        case r.account_role
            when 'line_account' then l.line_is_fallback
            when 'line_revenue_account' then l.revenue_is_fallback
            else false
        end as is_fallback_account,
        coalesce(nullif(r.memo, ''), l.description) as memo,
        l.currency,
        r.sign * l.amount as amount,
        l.legal_entity,
        l.functional_currency,
        l.document_date,
        l.customer_id,
        l.account_id,
        l.business_transaction_id,
        l.batch_id
    from (
        {{ journal_source_lines_whole(source_lines) }}
    ) as l
    inner join {{ ref('journal_rules') }} as r
        on
            l.source_type = r.source_type
            and l.amount_source = r.amount_source
{%- endmacro %}

{#- The rows of `source_lines` (a CTE or relation with some of the journal source line columns)
    with all of them, the missing ones null. DuckDB: a typed empty row set of the whole shape
    `union all by name` the lines. Spark SQL has no by-name union and a CTE's columns are not
    known before it runs: each row goes through a struct by name (`to_json(struct(*))` read back
    with the shape's schema; exact for decimals, JSON numbers are read as decimals). -#}
{% macro journal_source_lines_whole(source_lines) -%}
    {{ return(adapter.dispatch('journal_source_lines_whole', 'usage_to_cash')(source_lines)) }}
{%- endmacro %}

{% macro default__journal_source_lines_whole(source_lines) -%}
    select
        {%- for name, data_type in journal_source_line_columns().items() %}
        cast(null as {{ data_type }}) as {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
    where false
    union all by name
    select * from {{ source_lines }}
{%- endmacro %}

{% macro spark__journal_source_lines_whole(source_lines) -%}
    {%- set fields = [] -%}
    {%- for name, data_type in journal_source_line_columns().items() -%}
        {%- do fields.append('`' ~ name ~ '` ' ~ spark_type(data_type)) -%}
    {%- endfor -%}
    select w.line.*
    from (
        select from_json(to_json(struct(*)), '{{ fields | join(", ") }}') as line
        from {{ source_lines }}
    ) as w
{%- endmacro %}
