{#- What the document reconciliations (rec_billing_erp, rec_payments_cash, rec_adjustments_erp)
    share, written once: the ERP transactions matched by external id, the variances, and the
    typed columns of their contract in the order the marts publish them. -#}

{#- A billing document's identity: its type and id, its External ID, the invoice and credit note
    it concerns. -#}
{% macro rec_document_ids() -%}
    document_type,
    document_id,
    external_id,
    invoice_id,
    credit_note_id
{%- endmacro %}

{#- A billing document's posting and amounts, as int_billing_documents_converted has them. -#}
{% macro rec_document_posting() -%}
    legal_entity,
    billing_period,
    fiscal_period,
    is_posting_period_moved,
    document_date,
    currency,
    functional_currency,
    exchange_rate,
    amount,
    amount_functional
{%- endmacro %}

{#- The ERP side matched by external id (`erp`: the alias of a row of int_erp_documents_summarized,
    null when none matched). -#}
{% macro rec_erp_match(erp) -%}
    {{ erp }}.first_transaction_id as erp_transaction_id,
    {{ erp }}.transaction_ids as erp_transaction_ids,
    coalesce({{ erp }}.transaction_count, 0) as erp_transaction_count
{%- endmacro %}

{#- The rows of `relation` with their variances: billing less ERP, in transaction and in
    functional currency. -#}
{% macro rec_with_variances(relation) -%}
    select
        *,
        billing_amount - erp_amount as variance,
        billing_amount_functional - erp_amount_functional as variance_functional
    from {{ relation }}
{%- endmacro %}

{#- The last branches of a status: amount_mismatch when a variance is beyond the reconciliation's
    tolerance (transaction or functional), else matched. -#}
{% macro rec_amount_status(reconciliation) -%}
    when
        {{ beyond_tolerance(reconciliation, 'variance', 'billing_amount') }}
        or {{ beyond_tolerance(reconciliation, 'variance_functional', 'billing_amount_functional') }}
        then 'amount_mismatch'
    else 'matched'
{%- endmacro %}

{% macro rec_status_columns() -%}
    cast(status as string) as status,
    cast(legal_entity as string) as legal_entity,
    cast(billing_period as string) as billing_period,
    cast(fiscal_period as string) as fiscal_period,
    cast(erp_fiscal_period as string) as erp_fiscal_period,
    cast(is_posting_period_moved as boolean) as is_posting_period_moved
{%- endmacro %}

{% macro rec_amount_columns() -%}
    cast(currency as string) as currency,
    cast(functional_currency as string) as functional_currency,
    cast(exchange_rate as decimal(38, 12)) as exchange_rate,
    cast(billing_amount as decimal(38, 9)) as billing_amount,
    cast(billing_amount_functional as decimal(38, 9)) as billing_amount_functional,
    cast(erp_amount as decimal(38, 9)) as erp_amount,
    cast(erp_amount_functional as decimal(38, 9)) as erp_amount_functional
{%- endmacro %}

{% macro rec_variance_columns() -%}
    cast(variance as decimal(38, 9)) as variance,
    cast(variance_functional as decimal(38, 9)) as variance_functional
{%- endmacro %}

{% macro rec_erp_transaction_columns() -%}
    cast(external_id as string) as external_id,
    cast(erp_transaction_id as bigint) as erp_transaction_id,
    cast(erp_transaction_ids as string) as erp_transaction_ids,
    cast(erp_transaction_count as bigint) as erp_transaction_count
{%- endmacro %}

{#- One reconciliation mart's row in the shape rec_summary totals (int_reconciliation_rows): the
    mart's name, its grain and currencies, its variances (0 for a mart that compares quantities)
    and its unbilled exposure (0 but for rec_usage_billing); `alias` qualifies the columns. Ends
    with a comma: the caller adds the aging date. -#}
{% macro reconciled_row(mart, variances=true, unbilled=false, alias=none) -%}
    {%- set r = alias ~ '.' if alias else '' -%}
    '{{ mart }}' as reconciliation,
    {{ r }}legal_entity,
    {{ r }}fiscal_period,
    {{ r }}status,
    {{ r }}currency,
    {{ r }}functional_currency,
    {% if variances -%}
        {{ r }}variance,
        {{ r }}variance_functional,
    {%- else -%}
        0 as variance,
        0 as variance_functional,
    {%- endif %}
    {% if unbilled -%}
        {{ r }}unbilled_exposure,
        {{ r }}unbilled_exposure_functional,
    {%- else -%}
        0 as unbilled_exposure,
        0 as unbilled_exposure_functional,
    {%- endif %}
{%- endmacro %}
