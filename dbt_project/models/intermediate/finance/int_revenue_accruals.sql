{#- Revenue accrual by service period: one row per expected invoice line (int_invoice_lines_expected:
    the contract fees and prorations, the rated usage of rated_usage, the minimum commitment
    true-up) of a subscription billing period whose service period has ended (its end on or before
    the billing extract's "as of" date: the billing system's clock, which a late usage file does
    not move) and whose invoice is not posted by the period the accrual posts in.
    The accrual posts at the end of the fiscal period holding the service period's last day, or of
    the first open period after it when that one is closed (its accrual_fiscal_period); when the
    invoice posts in that period or earlier there is nothing to accrue. The accrual is reversed in
    the invoice's posting fiscal period, on its first day; not at all while no invoice is posted.
    Each line credits the account its invoice line will be credited to (the GL mapping rules on
    its line kind, legal entity and the customer's region, dated the accrual date; a rule naming a
    product or price never matches an expected line): deferred revenue for the fee and prorations
    (recognized from it per service day, revenue_schedule), revenue for usage and true-up.
    Lineage: the CRM contract amendment the line is priced on, and its landing batch. -#}
with

expected as (
    select
        match_key,
        subscription_id,
        billing_period,
        line_kind,
        metric,
        contract_id,
        contract_version,
        amendment_id,
        business_transaction_id,
        currency,
        legal_entity,
        service_period_start,
        service_period_end,
        amount
    from {{ ref('int_invoice_lines_expected') }}
    where amount <> 0
),

-- billing periods whose service has ended, with the period and date their accrual posts at
accrual_periods as (
    select
        billing_period,
        accrual_fiscal_period,
        accrual_date
    from {{ ref('int_billing_periods_accrued') }}
),

-- the invoice billing the subscription period (the first to post, when several)
posted_invoices as (
    select
        subscription_id,
        billing_period,
        invoice_id,
        posting_fiscal_period
    from (
        select
            subscription_id,
            billing_period,
            invoice_id,
            posting_fiscal_period,
            row_number() over (
                partition by subscription_id, billing_period
                order by posting_fiscal_period, finalized_at, invoice_id
            ) as invoice_rank
        from {{ ref('invoices') }}
        where
            finalized_at is not null
            and invoice_status not in ('draft', 'void')
            and subscription_id is not null
    ) as ranked
    where invoice_rank = 1
),

versions as (
    select
        amendment_id,
        account_id,
        region
    from {{ ref('subscriptions') }}
),

amendments as (
    select
        amendment_id,
        batch_id,
        landed_at
    from {{ ref('stg_crm__contract_amendments') }}
),

ended as (
    select
        e.*,
        p.accrual_fiscal_period,
        p.accrual_date
    from expected as e
    inner join accrual_periods as p on e.billing_period = p.billing_period
),

accrued as (
    select
        e.*,
        i.invoice_id,
        i.posting_fiscal_period as reversal_fiscal_period,
        r.start_date as reversal_date,
        v.account_id,
        v.region,
        m.batch_id,
        m.landed_at
    from ended as e
    left join posted_invoices as i
        on
            e.subscription_id = i.subscription_id
            and e.billing_period = i.billing_period
    -- reversed on the first day of the invoice's posting period
    left join {{ ref('int_posting_periods') }} as r on i.posting_fiscal_period = r.fiscal_period
    left join versions as v on e.amendment_id = v.amendment_id
    left join amendments as m on e.amendment_id = m.amendment_id
    where i.invoice_id is null or i.posting_fiscal_period > e.accrual_fiscal_period
),

rule_lines as (
    select
        match_key,
        legal_entity,
        accrual_date as document_date,
        cast(null as string) as product_id,
        cast(null as string) as price_id,
        line_kind,
        region
    from accrued
),

matched as (
    {{ gl_rule_matches('rule_lines', 'match_key') }}
)

select
    cast(a.match_key as string) as accrual_line_id,
    cast(a.subscription_id as string) as subscription_id,
    cast(a.billing_period as string) as billing_period,
    cast(a.line_kind as string) as line_kind,
    cast(a.metric as string) as metric,
    cast(a.contract_id as string) as contract_id,
    cast(a.contract_version as integer) as contract_version,
    cast(a.amendment_id as string) as amendment_id,
    cast(a.business_transaction_id as string) as business_transaction_id,
    cast(a.account_id as string) as account_id,
    cast(a.legal_entity as string) as legal_entity,
    cast(a.currency as string) as currency,
    cast(a.service_period_start as timestamp) as service_period_start,
    cast(a.service_period_end as timestamp) as service_period_end,
    cast(a.amount as decimal(38, 9)) as amount,
    cast(a.accrual_fiscal_period as string) as accrual_fiscal_period,
    cast(a.accrual_date as date) as accrual_date,
    cast(a.invoice_id as string) as invoice_id,
    cast(a.reversal_fiscal_period as string) as reversal_fiscal_period,
    cast(a.reversal_date as date) as reversal_date,
    cast(m.rule_id as string) as gl_rule_id,
    cast(coalesce(m.account_number, '{{ var("gl_account_unmapped_revenue") }}') as string)
        as credit_account,
    cast(m.department as string) as department,
    cast(m.class as string) as class,
    cast(m.location as string) as location,
    cast(coalesce(m.needs_review, true) as boolean) as needs_review,
    cast(a.batch_id as string) as batch_id,
    cast(a.landed_at as timestamp) as landed_at
from accrued as a
left join matched as m on a.match_key = m.line_key
