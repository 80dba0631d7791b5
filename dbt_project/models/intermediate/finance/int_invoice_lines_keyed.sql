{#- Billed invoice lines (finalized, not void invoices of a subscription) with the match key of the
    expected line they should equal. A proration line is a credit when its amount is negative
    (Stripe's "Unused time on ..." when zero) and a charge otherwise; the change instant is the
    start of its period. Lines sharing a key are numbered in invoice order (occurrence). -#}
with

invoices as (
    select invoice_id
    from {{ ref('invoices') }}
    where finalized_at is not null and invoice_status <> 'void'
),

lines as (
    select
        l.invoice_line_id,
        l.invoice_id,
        l.line_index,
        l.line_kind,
        l.metric,
        l.description,
        l.quantity,
        l.amount,
        l.currency,
        l.period_start,
        l.period_end,
        l.billing_period,
        l.subscription_id,
        l.legal_entity,
        case when l.line_kind = 'proration' then l.period_start end as change_at,
        case
            when l.line_kind <> 'proration' then null
            when l.amount < 0 then 'credit'
            when l.amount > 0 then 'charge'
            when lower(l.description) like 'unused time%' then 'credit'
            else 'charge'
        end as proration_side
    from {{ ref('invoice_lines') }} as l
    inner join invoices as i on l.invoice_id = i.invoice_id
),

numbered as (
    select
        *,
        row_number() over (
            partition by subscription_id, billing_period, line_kind, metric, change_at, proration_side
            order by line_index, invoice_line_id
        ) as occurrence
    from lines
)

select
    invoice_line_id,
    invoice_id,
    line_index,
    line_kind,
    metric,
    description,
    quantity,
    amount,
    currency,
    period_start,
    period_end,
    billing_period,
    subscription_id,
    legal_entity,
    change_at,
    proration_side,
    occurrence,
    {{ invoice_line_match_key(
        'subscription_id', 'billing_period', 'line_kind', 'metric', 'change_at', 'proration_side', 'occurrence'
    ) }} as match_key
from numbered
