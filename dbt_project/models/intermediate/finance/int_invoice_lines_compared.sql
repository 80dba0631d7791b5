{#- Expected invoice lines side by side with the billed ones, paired by match key (full outer
    join): one row per key on either side, with the differences and a comparison status.
    Differences are billed minus expected. -#}
with

expected as (
    select
        match_key,
        subscription_id,
        billing_period,
        line_kind,
        metric,
        proration_side,
        change_at,
        occurrence,
        contract_id,
        contract_version,
        amendment_id,
        business_transaction_id,
        plan_code,
        currency,
        legal_entity,
        service_period_start,
        service_period_end,
        is_invoiced_cycle,
        quantity,
        amount
    from {{ ref('int_invoice_lines_expected') }}
),

billed as (
    select
        match_key,
        invoice_line_id,
        invoice_id,
        subscription_id,
        billing_period,
        line_kind,
        metric,
        proration_side,
        change_at,
        occurrence,
        currency,
        legal_entity,
        period_start,
        period_end,
        quantity,
        amount
    from {{ ref('int_invoice_lines_keyed') }}
),

invoiced as (
    select
        subscription_id,
        billing_period,
        min(invoice_id) as invoice_id
    from {{ ref('invoices') }}
    where finalized_at is not null and invoice_status <> 'void' and subscription_id is not null
    group by subscription_id, billing_period
),

paired as (
    select
        coalesce(e.match_key, b.match_key) as match_key,
        coalesce(e.subscription_id, b.subscription_id) as subscription_id,
        coalesce(e.billing_period, b.billing_period) as billing_period,
        coalesce(e.line_kind, b.line_kind) as line_kind,
        coalesce(e.metric, b.metric) as metric,
        coalesce(e.proration_side, b.proration_side) as proration_side,
        coalesce(e.change_at, b.change_at) as change_at,
        coalesce(e.occurrence, b.occurrence) as occurrence,
        e.contract_id,
        e.contract_version,
        e.amendment_id,
        e.business_transaction_id,
        e.plan_code,
        coalesce(e.currency, b.currency) as currency,
        coalesce(e.legal_entity, b.legal_entity) as legal_entity,
        coalesce(e.service_period_start, b.period_start) as service_period_start,
        coalesce(e.service_period_end, b.period_end) as service_period_end,
        e.match_key is not null as is_expected,
        b.match_key is not null as is_billed,
        e.is_invoiced_cycle,
        e.quantity as expected_quantity,
        e.amount as expected_amount,
        b.invoice_id,
        b.invoice_line_id,
        b.currency as billed_currency,
        b.quantity as billed_quantity,
        b.amount as billed_amount
    from expected as e
    full outer join billed as b on e.match_key = b.match_key
)

select
    p.*,
    coalesce(p.invoice_id, i.invoice_id) as period_invoice_id,
    p.billed_quantity - p.expected_quantity as quantity_difference,
    coalesce(p.billed_amount, 0) - coalesce(p.expected_amount, 0) as amount_difference,
    case
        when not p.is_billed and not coalesce(p.is_invoiced_cycle, false) then 'not_yet_invoiced'
        when not p.is_billed and i.invoice_id is null then 'invoice_missing'
        when not p.is_billed then 'not_billed'
        when not p.is_expected then 'not_expected'
        when p.billed_currency <> p.currency then 'currency_differs'
        when
            coalesce(
                p.billed_quantity <> p.expected_quantity,
                p.billed_quantity is not null or p.expected_quantity is not null
            )
            then 'quantity_differs'
        when p.billed_amount <> p.expected_amount then 'amount_differs'
        else 'matched'
    end as comparison_status
from paired as p
left join invoiced as i
    on p.subscription_id = i.subscription_id and p.billing_period = i.billing_period
