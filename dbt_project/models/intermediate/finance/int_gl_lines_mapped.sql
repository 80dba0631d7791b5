{#- Every invoice line with the GL account and dimensions it posts to: the first rule of the seed
    gl_mapping_rules by priority whose legal entity scope, effective dates (on the invoice's
    document date, valid_to exclusive) and conditions (product, price, line kind, region; empty =
    any) match (macro gl_rule_matches). A line no rule matches, or that only the fallback rule
    matches, posts to the unmapped revenue account and is flagged for review. -#}
with

lines as (
    select
        l.invoice_line_id,
        l.invoice_id,
        l.line_index,
        l.line_kind,
        l.product_id,
        l.price_id,
        l.legal_entity,
        l.region,
        cast(i.finalized_at as date) as document_date
    from {{ ref('invoice_lines') }} as l
    left join {{ ref('invoices') }} as i on l.invoice_id = i.invoice_id
),

matched as (
    {{ gl_rule_matches('lines', 'invoice_line_id') }}
)

select
    cast(l.invoice_line_id as string) as invoice_line_id,
    cast(l.invoice_id as string) as invoice_id,
    cast(l.line_index as integer) as line_index,
    cast(l.line_kind as string) as line_kind,
    cast(l.legal_entity as string) as legal_entity,
    cast(l.document_date as date) as document_date,
    cast(m.rule_id as string) as gl_rule_id,
    cast(coalesce(m.account_number, '{{ var("gl_account_unmapped_revenue") }}') as string)
        as account_number,
    cast(m.department as string) as department,
    cast(m.class as string) as class,
    cast(m.location as string) as location,
    cast(coalesce(m.needs_review, true) as boolean) as needs_review
from lines as l
left join matched as m on l.invoice_line_id = m.line_key
