{#- A table: the journals read it more than once (journal_lines and journals_held) and the
    allocation behind it is costly; a view recomputes it on every read. -#}
{{ config(materialized="table") }}

{#- Revenue per billed line (and per credit note line, negative, spread like the line it credits)
    per recognition date: the platform fee and proration lines ratably per UTC day of their
    service period, usage and true-up lines in the period consumed. Each schedule sums exactly
    to its line (largest-remainder allocation of minor units, ties to the earliest day). A period
    accrued before its invoice posted is recognized in its service period; the deferred lines of
    a period accrued and not invoiced yet are scheduled from the accrual (accrued_line). -#}
with

allocated as (
    select * from {{ ref('int_revenue_lines_allocated') }}
)

select
    cast(source_type as string) as source_type,
    cast(source_line_id as string) as source_line_id,
    cast(document_id as string) as document_id,
    cast(invoice_id as string) as invoice_id,
    cast(invoice_line_id as string) as invoice_line_id,
    cast(credit_note_id as string) as credit_note_id,
    cast(subscription_id as string) as subscription_id,
    cast(line_kind as string) as line_kind,
    cast(metric as string) as metric,
    cast(gl_revenue_account as string) as gl_revenue_account,
    cast(recognition_basis as string) as recognition_basis,
    cast(is_deferred as boolean) as is_deferred,
    cast(recognition_date as date) as recognition_date,
    cast(service_period_start as timestamp) as service_period_start,
    cast(service_period_end as timestamp) as service_period_end,
    cast(weight_seconds as bigint) as weight_seconds,
    cast(service_fiscal_period as string) as service_fiscal_period,
    cast(document_posting_fiscal_period as string) as document_posting_fiscal_period,
    cast(is_accrued as boolean) as is_accrued,
    cast(recognition_fiscal_period as string) as recognition_fiscal_period,
    cast(legal_entity as string) as legal_entity,
    cast(currency as string) as currency,
    cast(line_amount as decimal(38, 9)) as line_amount,
    cast({{ minor_to_major('amount_minor', 'minor_units') }} as decimal(38, 9)) as amount
from allocated
