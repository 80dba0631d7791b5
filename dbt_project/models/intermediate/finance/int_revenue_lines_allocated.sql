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
    is the ERP period holding the day; revenue is recognized in the service period: when the
    subscription period was accrued before its invoice posted (int_revenue_accruals), in the
    day's posting period (the first open period from the day's), and a deferred line accrued but
    not yet invoiced (source_type accrued_line: the expected fee or proration, its revenue account
    the product last invoiced to the subscription on such a line) is spread the same way until
    its invoice line takes over; otherwise no earlier than its document posts: the later of the
    day's posting period and the document's posting fiscal period (catch-up for days already
    past: a credit note, a period closed before its invoice). -#}
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
        l.billing_period,
        l.line_index,
        coalesce(i.posting_fiscal_period, {{ period_key('i.finalized_at') }}) as document_posting_fiscal_period
    from {{ ref('invoice_lines') }} as l
    inner join invoices as i on l.invoice_id = i.invoice_id
),

-- revenue accrued at a period end before the invoice posted (int_revenue_accruals): its service
-- days are recognized in their own period
accruals as (
    select
        accrual_line_id,
        subscription_id,
        billing_period,
        line_kind,
        metric,
        amount,
        currency,
        legal_entity,
        service_period_start,
        service_period_end,
        accrual_fiscal_period,
        invoice_id
    from {{ ref('int_revenue_accruals') }}
),

accrued_periods as (
    select distinct
        subscription_id,
        billing_period
    from accruals
),

-- the revenue account of an accrued line not yet invoiced: the product the subscription was last
-- invoiced for on that kind of line
last_revenue_accounts as (
    select
        subscription_id,
        line_kind,
        gl_revenue_account
    from (
        select
            subscription_id,
            line_kind,
            gl_revenue_account,
            row_number() over (
                partition by subscription_id, line_kind
                order by billing_period desc, line_index desc, invoice_line_id desc
            ) as line_rank
        from invoice_lines
        where gl_revenue_account is not null
    ) as ranked
    where line_rank = 1
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
        l.invoice_line_id as source_line_id,
        l.invoice_id as document_id,
        l.invoice_id,
        l.invoice_line_id,
        cast(null as string) as credit_note_id,
        l.subscription_id,
        l.line_kind,
        l.metric,
        l.gl_revenue_account,
        l.amount,
        l.currency,
        l.legal_entity,
        l.period_start as service_period_start,
        l.period_end as service_period_end,
        l.line_kind in ('platform_fee', 'proration') as is_ratable,
        l.document_posting_fiscal_period,
        a.subscription_id is not null as is_accrued
    from invoice_lines as l
    left join accrued_periods as a
        on
            l.subscription_id = a.subscription_id
            and l.billing_period = a.billing_period
    union all
    select
        'accrued_line' as source_type,
        a.accrual_line_id as source_line_id,
        a.accrual_line_id as document_id,
        cast(null as string) as invoice_id,
        cast(null as string) as invoice_line_id,
        cast(null as string) as credit_note_id,
        a.subscription_id,
        a.line_kind,
        a.metric,
        r.gl_revenue_account,
        a.amount,
        a.currency,
        a.legal_entity,
        a.service_period_start,
        a.service_period_end,
        true as is_ratable,
        a.accrual_fiscal_period as document_posting_fiscal_period,
        true as is_accrued
    from accruals as a
    left join last_revenue_accounts as r
        on
            a.subscription_id = r.subscription_id
            and a.line_kind = r.line_kind
    -- deferred kinds not invoiced yet; once invoiced, the invoice line takes over
    where a.invoice_id is null and a.line_kind in ('platform_fee', 'proration')
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
        cn.document_posting_fiscal_period,
        false as is_accrued
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
    r.is_accrued,
    case
        when r.is_accrued
            then coalesce(f.posting_fiscal_period, f.fiscal_period, {{ period_key('r.recognition_date') }})
        else greatest(
            coalesce(f.posting_fiscal_period, f.fiscal_period, {{ period_key('r.recognition_date') }}),
            r.document_posting_fiscal_period
        )
    end as recognition_fiscal_period,
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
{{ join_posting_period('r.recognition_date', 'f') }}
