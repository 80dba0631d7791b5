{#- The journal source lines of revenue recognition and revenue accrual (doc block
    journal_rules), one row per line and journal it is in, with the fiscal period, date and
    lineage of the line: the deferred schedule rows of the fiscal periods the ERP has, each with
    the account its invoice line (or, not invoiced yet, its accrual) was credited to and the
    revenue account it is recognized into (the product's gl_revenue_account; none: the unmapped
    revenue account, flagged), left out when the credited account already is the revenue account
    (nothing deferred); each accrual line in its accrual, and once invoiced in its reversal. -#}
with

legal_entities as (
    select
        legal_entity,
        functional_currency
    from {{ ref('legal_entities') }}
),

fiscal as (
    select
        fiscal_period,
        end_date
    from {{ ref('fiscal_periods') }}
),

mapped as (
    select
        invoice_line_id,
        account_number,
        department,
        class,
        location,
        needs_review
    from {{ ref('int_gl_lines_mapped') }}
),

accruals as (
    select
        a.accrual_line_id,
        a.legal_entity,
        e.functional_currency,
        a.currency,
        a.amount,
        a.credit_account,
        a.department,
        a.class,
        a.location,
        a.needs_review,
        a.accrual_fiscal_period,
        a.accrual_date,
        a.reversal_fiscal_period,
        a.reversal_date,
        a.batch_id,
        a.landed_at
    from {{ ref('int_revenue_accruals') }} as a
    left join legal_entities as e on a.legal_entity = e.legal_entity
),

-- noqa: disable=AM07
-- an accrual line is in its accrual, and once invoiced in the reversal
accrual_moves as (
    select
        'revenue_accrual' as source_type,
        false as is_reversal
    union all
    select
        'revenue_accrual_reversal' as source_type,
        true as is_reversal
),

-- lineage: the batch each scheduled line landed in
schedule_line_batches as (
    select
        'invoice_line' as source_type,
        invoice_line_id as source_line_id,
        batch_id,
        landed_at
    from {{ ref('invoice_lines') }}
    union all
    select
        'credit_note_line' as source_type,
        credit_note_line_id as source_line_id,
        batch_id,
        landed_at
    from {{ ref('stg_billing__credit_note_lines') }}
    union all
    select
        'accrued_line' as source_type,
        accrual_line_id as source_line_id,
        batch_id,
        landed_at
    from accruals
),

recognized as (
    select
        s.legal_entity,
        e.functional_currency,
        s.currency,
        s.recognition_fiscal_period as fiscal_period,
        f.end_date as document_date,
        -- the account the invoice line (or, not invoiced yet, the accrual) credited
        coalesce(m.account_number, a.credit_account, '{{ var("gl_account_unmapped_revenue") }}')
            as line_account,
        coalesce(m.needs_review, a.needs_review, true) as line_is_fallback,
        coalesce(s.gl_revenue_account, '{{ var("gl_account_unmapped_revenue") }}')
            as revenue_account,
        s.gl_revenue_account is null as revenue_is_fallback,
        coalesce(m.department, a.department) as department,
        coalesce(m.class, a.class) as class,
        coalesce(m.location, a.location) as location,
        s.amount,
        b.batch_id,
        b.landed_at
    from {{ ref('int_revenue_schedule') }} as s
    inner join fiscal as f on s.recognition_fiscal_period = f.fiscal_period
    left join legal_entities as e on s.legal_entity = e.legal_entity
    left join mapped as m on s.invoice_line_id = m.invoice_line_id
    left join accruals as a
        on
            s.source_type = 'accrued_line'
            and s.source_line_id = a.accrual_line_id
    left join schedule_line_batches as b
        on
            s.source_type = b.source_type
            and s.source_line_id = b.source_line_id
    where s.is_deferred
)

-- each part has the journal source line columns it knows, the others null (in one column order:
-- Spark SQL has no union by name)
-- noqa: disable=AM07
select
    'revenue_recognition' as source_type,
    'schedule_line' as amount_source,
    legal_entity,
    functional_currency,
    currency,
    fiscal_period,
    document_date,
    line_account,
    line_is_fallback,
    revenue_account,
    revenue_is_fallback,
    department,
    class,
    location,
    amount,
    batch_id,
    landed_at
from recognized
where line_account <> revenue_account
union all
select
    m.source_type,
    'accrual_line' as amount_source,
    a.legal_entity,
    a.functional_currency,
    a.currency,
    case when m.is_reversal then a.reversal_fiscal_period else a.accrual_fiscal_period end
        as fiscal_period,
    case when m.is_reversal then a.reversal_date else a.accrual_date end as document_date,
    a.credit_account as line_account,
    a.needs_review as line_is_fallback,
    cast(null as string) as revenue_account,
    cast(null as boolean) as revenue_is_fallback,
    a.department,
    a.class,
    a.location,
    a.amount,
    a.batch_id,
    a.landed_at
from accruals as a
inner join accrual_moves as m on not m.is_reversal or a.reversal_fiscal_period is not null
