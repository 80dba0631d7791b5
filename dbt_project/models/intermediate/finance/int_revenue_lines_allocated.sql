{#- Revenue schedule of every billed line (finalized, not void invoices) and of every credit note
    line (issued credit notes), one row per line x recognition date:
    - platform fee and proration lines: ratably per day over the line's service period
      [period_start, period_end), each UTC day weighted by the seconds of the service period it
      holds (whole days: equal shares);
    - usage, minimum commitment and other lines: in the period the usage was consumed, one row
      on the last day of the service period;
    - a credit note line reduces the line it credits: the negative credit is spread exactly like
      that line (same days, same weights); a custom credit line without an invoice line is one
      row on the credit note's effective date.
    Exact allocation by largest remainder: every day gets floor(|amount| x weight / total weight)
    minor units; the minor units left over go one each to the days with the largest remainders
    (ties: the earliest day), so a schedule sums exactly to its line. The service fiscal period
    is the ERP period holding the day; revenue is recognized no earlier than its document posts:
    recognition_fiscal_period = the later of the day's posting period (the first open period
    from the day's) and the document's posting fiscal period (catch-up for days already past). -#}
with

currencies as (
    select
        currency,
        minor_units,
        stripe_minor_units
    from {{ ref('currencies') }}
),

invoices as (
    select
        invoice_id,
        invoice_status,
        finalized_at,
        posting_fiscal_period
    from {{ ref('invoices') }}
    where finalized_at is not null and invoice_status <> 'void'
),

invoice_lines as (
    select
        l.invoice_line_id,
        l.invoice_id,
        l.subscription_id,
        l.line_kind,
        l.metric,
        l.gl_revenue_account,
        l.amount,
        l.currency,
        l.legal_entity,
        l.period_start,
        l.period_end,
        coalesce(i.posting_fiscal_period, {{ period_key('i.finalized_at') }}) as document_posting_fiscal_period
    from {{ ref('invoice_lines') }} as l
    inner join invoices as i on l.invoice_id = i.invoice_id
),

credit_notes as (
    select
        credit_note_id,
        invoice_id,
        currency,
        effective_at,
        legal_entity,
        coalesce(posting_fiscal_period, {{ period_key('effective_at') }}) as document_posting_fiscal_period
    from {{ ref('credit_notes') }}
    where credit_note_status = 'issued'
),

credit_note_lines as (
    select
        credit_note_line_id,
        credit_note_id,
        invoice_line_id,
        amount_minor
    from {{ ref('stg_billing__credit_note_lines') }}
),

sources as (
    select
        'invoice_line' as source_type,
        invoice_line_id as source_line_id,
        invoice_id as document_id,
        invoice_id,
        invoice_line_id,
        cast(null as varchar) as credit_note_id,
        subscription_id,
        line_kind,
        metric,
        gl_revenue_account,
        amount,
        currency,
        legal_entity,
        period_start as service_period_start,
        period_end as service_period_end,
        line_kind in ('platform_fee', 'proration') as is_ratable,
        document_posting_fiscal_period
    from invoice_lines
    union all
    select
        'credit_note_line' as source_type,
        cl.credit_note_line_id as source_line_id,
        cn.credit_note_id as document_id,
        coalesce(il.invoice_id, cn.invoice_id) as invoice_id,
        il.invoice_line_id,
        cn.credit_note_id,
        il.subscription_id,
        coalesce(il.line_kind, 'other') as line_kind,
        il.metric,
        il.gl_revenue_account,
        -{{ minor_to_major('cl.amount_minor', 'c.stripe_minor_units') }} as amount,
        coalesce(il.currency, cn.currency) as currency,
        coalesce(il.legal_entity, cn.legal_entity) as legal_entity,
        coalesce(il.period_start, cn.effective_at) as service_period_start,
        coalesce(il.period_end, {{ dbt.dateadd('second', 1, 'cn.effective_at') }}) as service_period_end,
        coalesce(il.line_kind in ('platform_fee', 'proration'), false) as is_ratable,
        cn.document_posting_fiscal_period
    from credit_note_lines as cl
    inner join credit_notes as cn on cl.credit_note_id = cn.credit_note_id
    left join invoice_lines as il on cl.invoice_line_id = il.invoice_line_id
    left join currencies as c on cn.currency = c.currency
),

days as (
    select
        s.*,
        c.minor_units,
        cast(s.service_period_start as date) as first_day,
        cast({{ dbt.dateadd('second', -1, 's.service_period_end') }} as date) as last_day,
        cast(s.amount * {{ pow10_int('c.minor_units') }} as {{ wide_integer_type() }}) as amount_minor
    from sources as s
    left join currencies as c on s.currency = c.currency
),

scaled as (
    select
        *,
        1 + {{ dbt.datediff('first_day', 'last_day', 'day') }}
            as service_days
    from days
),

day_numbers as (
    {{ dbt.generate_series(var('revenue_schedule_max_days', 1100)) }}
),

-- ratable lines: one row per UTC day of the service period, weighted by its seconds
ratable_days as (
    select
        s.*,
        cast({{ dbt.dateadd('day', 'd.generated_number - 1', 's.first_day') }} as date)
            as recognition_date
    from scaled as s
    inner join day_numbers as d
        on s.service_days >= d.generated_number
    where s.is_ratable
),

weighted as (
    select
        r.*,
        'ratable_daily' as recognition_basis,
        {{ dbt.datediff(
            'greatest(r.service_period_start, cast(r.recognition_date as timestamp))',
            'least(r.service_period_end, cast(' ~ dbt.dateadd('day', 1, 'r.recognition_date') ~ ' as timestamp))',
            'second'
        ) }} as weight
    from ratable_days as r
    union all
    select
        s.*,
        s.last_day as recognition_date,
        case
            when s.source_type = 'credit_note_line' and s.invoice_line_id is null then 'credit_date'
            else 'consumption_period'
        end as recognition_basis,
        1 as weight
    from scaled as s
    where not s.is_ratable
),

shares as (
    select
        *,
        sum(weight) over (partition by source_type, source_line_id) as total_weight,
        {{ div_floor('abs(amount_minor) * weight', 'sum(weight) over (partition by source_type, source_line_id)') }}
            as base_minor,
        {{ mod_int('abs(amount_minor) * weight', 'sum(weight) over (partition by source_type, source_line_id)') }}
            as remainder_weight
    from weighted
),

ranked as (
    select
        *,
        abs(amount_minor) - sum(base_minor) over (partition by source_type, source_line_id) as units_left,
        row_number() over (
            partition by source_type, source_line_id
            order by remainder_weight desc, recognition_date asc
        ) as remainder_rank
    from shares
),

fiscal as (
    select
        fiscal_period,
        start_date,
        end_date,
        posting_fiscal_period
    from {{ ref('fiscal_periods') }}
)

select
    r.source_type,
    r.source_line_id,
    r.document_id,
    r.invoice_id,
    r.invoice_line_id,
    r.credit_note_id,
    r.subscription_id,
    r.line_kind,
    r.metric,
    r.gl_revenue_account,
    r.recognition_basis,
    r.is_ratable as is_deferred,
    r.recognition_date,
    r.service_period_start,
    r.service_period_end,
    r.weight as weight_seconds,
    coalesce(f.fiscal_period, {{ period_key('r.recognition_date') }}) as service_fiscal_period,
    r.document_posting_fiscal_period,
    greatest(
        coalesce(f.posting_fiscal_period, f.fiscal_period, {{ period_key('r.recognition_date') }}),
        r.document_posting_fiscal_period
    ) as recognition_fiscal_period,
    r.currency,
    r.minor_units,
    r.legal_entity,
    r.amount as line_amount,
    cast(
        case when r.amount_minor < 0 then -1 else 1 end
        * (r.base_minor + case when r.remainder_rank <= r.units_left then 1 else 0 end)
        as bigint
    ) as amount_minor
from ranked as r
left join fiscal as f on r.recognition_date between f.start_date and f.end_date
