{#- The journal source lines of the billing documents (doc block journal_rules): per finalized,
    not void invoice and per issued credit note its total, its tax and each of its lines with the
    account of its GL mapping rule (a credit note line: the rule of the invoice line it credits;
    no rule: the unmapped revenue account, flagged). An invoice's total line also carries its
    posting period, for the payments of it. -#}
with

invoices as (
    select
        i.invoice_id,
        i.external_id,
        i.business_transaction_id,
        i.total,
        i.tax,
        cast(i.finalized_at as date) as document_date,
        i.posting_fiscal_period,
        {{ journal_document_columns('i') }}
    from {{ ref('invoices') }} as i
    where i.invoice_status not in ('draft', 'void') and i.finalized_at is not null
),

credit_notes as (
    select
        n.credit_note_id,
        n.external_id,
        n.invoice_id,
        i.business_transaction_id,
        n.total,
        n.tax,
        n.effective_date as document_date,
        {{ journal_document_columns('n') }}
    from {{ ref('credit_notes') }} as n
    left join invoices as i on n.invoice_id = i.invoice_id
    where n.credit_note_status = 'issued'
),

-- noqa: disable=AM04
documents as (
    select
        'invoice' as source_type,
        invoice_id as source_id,
        cast(null as string) as related_external_id,
        *
    from invoices
    union all
    -- the invoice part's columns in its order (a credit note has no posting period of its own)
    select
        'credit_note' as source_type,
        credit_note_id as source_id,
        {{ u2c_external_id('invoice', 'invoice_id') }} as related_external_id,
        invoice_id,
        external_id,
        business_transaction_id,
        total,
        tax,
        document_date,
        cast(null as string) as posting_fiscal_period,
        {{ journal_document_columns('credit_notes') }}
    from credit_notes
),
-- noqa: enable=AM04

mapped as (
    select
        invoice_line_id,
        account_number,
        needs_review,
        department,
        class,
        location
    from {{ ref('int_gl_lines_mapped') }}
),

-- credit note lines are in Stripe's minor units
currencies as (
    select
        currency,
        stripe_minor_units
    from {{ ref('currencies') }}
),

document_lines as (
    select
        'invoice' as source_type,
        l.invoice_id as source_id,
        l.invoice_line_id as source_line_id,
        l.invoice_line_id,
        l.line_index,
        l.description,
        l.amount,
        l.batch_id
    from {{ ref('invoice_lines') }} as l
    union all
    select
        'credit_note' as source_type,
        n.credit_note_id as source_id,
        n.credit_note_line_id as source_line_id,
        n.invoice_line_id,
        n.line_index,
        n.description,
        {{ minor_to_major('n.amount_minor', 'cu.stripe_minor_units') }} as amount,
        n.batch_id
    from {{ ref('stg_billing__credit_note_lines') }} as n
    inner join credit_notes as c on n.credit_note_id = c.credit_note_id
    left join currencies as cu on c.currency = cu.currency
),

-- noqa: disable=AM07
document_amounts as (
    select 'document_total' as amount_source
    union all
    select 'document_tax' as amount_source
)

-- each part has the journal source line columns it knows, the others null (in one column order:
-- Spark SQL has no union by name)
select
    d.source_type,
    a.amount_source,
    d.external_id,
    d.source_id,
    d.invoice_id,
    d.related_external_id,
    0 as entry_index,
    case a.amount_source when 'document_total' then d.total else d.tax end as amount,
    d.document_date,
    d.business_transaction_id,
    d.posting_fiscal_period,
    {{ journal_document_columns('d') }},
    cast(null as string) as source_line_id,
    cast(null as string) as line_account,
    cast(null as boolean) as line_is_fallback,
    cast(null as string) as department,
    cast(null as string) as class,
    cast(null as string) as location,
    cast(null as string) as description
from documents as d
cross join document_amounts as a
union all
-- a line without a mapping row, or whose mapping names no account, gets the unmapped revenue
-- account, flagged for review
select
    d.source_type,
    'document_line' as amount_source,
    d.external_id,
    d.source_id,
    d.invoice_id,
    d.related_external_id,
    l.line_index as entry_index,
    l.amount,
    d.document_date,
    d.business_transaction_id,
    cast(null as string) as posting_fiscal_period,
    {{ journal_document_columns('d', exclude=['batch_id']) }},
    l.batch_id,
    l.source_line_id,
    coalesce(m.account_number, '{{ var("gl_account_unmapped_revenue") }}') as line_account,
    coalesce(m.needs_review, true) as line_is_fallback,
    m.department,
    m.class,
    m.location,
    l.description
from documents as d
inner join document_lines as l on d.source_type = l.source_type and d.source_id = l.source_id
left join mapped as m on l.invoice_line_id = m.invoice_line_id
