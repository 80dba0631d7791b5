{#- Usage against billing per subscription x metric x billing period (rec_usage_billing's pairing):
    metered usage (usage_by_period) full-outer-joined with the usage lines of finalized, non-void
    invoices, with the period's invoice and its posting period, and the legal entity, account
    and functional currency of the usage or the billed line, else of the customer. Commercial
    quantities are usage_by_period's; rec_usage_billing takes its rating segments' (rated_usage,
    a mart) where rated. -#}
with

usage as (
    select
        u.subscription_id,
        u.metric,
        u.billing_period,
        u.customer_id,
        u.account_id,
        u.contract_id,
        u.contract_version,
        u.is_mapped,
        u.commercial_unit,
        u.metered_quantity,
        u.late_quantity,
        u.late_event_count,
        u.commercial_quantity,
        u.on_time_commercial_quantity,
        u.legal_entity,
        u.currency,
        u.functional_currency,
        true as is_usage_row
    from {{ ref('usage_by_period') }} as u
),

invoices as (
    select
        invoice_id,
        subscription_id,
        billing_period,
        posting_fiscal_period
    from {{ ref('invoices') }}
    where finalized_at is not null and invoice_status <> 'void' and subscription_id is not null
),

period_invoices as (
    select
        subscription_id,
        billing_period,
        min(invoice_id) as invoice_id,
        min(posting_fiscal_period) as fiscal_period
    from invoices
    group by subscription_id, billing_period
),

billed as (
    select
        l.subscription_id,
        l.metric,
        l.billing_period,
        min(l.customer_id) as customer_id,
        min(l.account_id) as account_id,
        min(l.legal_entity) as legal_entity,
        min(l.currency) as currency,
        min(l.functional_currency) as functional_currency,
        min(l.invoice_line_id) as invoice_line_id,
        count(*) as billed_line_count,
        sum(l.quantity) as billed_quantity,
        sum(l.amount) as billed_amount
    from {{ ref('invoice_lines') }} as l
    inner join invoices as i on l.invoice_id = i.invoice_id
    where l.line_kind = 'usage'
    group by l.subscription_id, l.metric, l.billing_period
),

customers as (
    select
        stripe_customer_id,
        account_id,
        legal_entity,
        functional_currency
    from {{ ref('customers') }}
),

paired as (
    select
        coalesce(u.subscription_id, b.subscription_id) as subscription_id,
        coalesce(u.metric, b.metric) as metric,
        coalesce(u.billing_period, b.billing_period) as billing_period,
        coalesce(u.customer_id, b.customer_id) as customer_id,
        coalesce(u.account_id, b.account_id) as account_id,
        coalesce(u.legal_entity, b.legal_entity) as legal_entity,
        coalesce(u.currency, b.currency) as currency,
        coalesce(u.functional_currency, b.functional_currency) as functional_currency,
        u.contract_id,
        u.contract_version,
        u.commercial_unit,
        -- commercial quantities: rec_usage_billing takes its rating segments' when rated
        coalesce(u.is_usage_row, false) as has_usage,
        u.commercial_quantity as usage_commercial_quantity,
        u.on_time_commercial_quantity as usage_on_time_commercial_quantity,
        coalesce(u.metered_quantity, 0) as metered_technical_quantity,
        coalesce(u.late_quantity, 0) as late_technical_quantity,
        coalesce(u.late_event_count, 0) as late_event_count,
        coalesce(b.billed_quantity, 0) as billed_quantity,
        coalesce(b.billed_amount, 0) as billed_amount,
        coalesce(b.billed_line_count, 0) as billed_line_count,
        b.invoice_line_id
    from usage as u
    full outer join billed as b
        on
            u.subscription_id = b.subscription_id
            and u.metric = b.metric
            and u.billing_period = b.billing_period
)

select
    p.*,
    i.invoice_id,
    i.fiscal_period as invoice_fiscal_period,
    coalesce(p.legal_entity, m.legal_entity) as resolved_legal_entity,
    coalesce(p.account_id, m.account_id) as resolved_account_id,
    coalesce(p.functional_currency, m.functional_currency) as resolved_functional_currency
from paired as p
left join period_invoices as i
    on p.subscription_id = i.subscription_id and p.billing_period = i.billing_period
left join customers as m on p.customer_id = m.stripe_customer_id
