{#- The realized FX journals (doc block journal_rule_realized_fx): a succeeded payment in a
    currency other than its legal entity's functional currency, converted at the invoice's and at
    the payment's posting-period rate as journal_lines converts the receivable lines of both
    journals, through the journal rules. -#}
with

currencies as (
    select
        currency,
        minor_units
    from {{ ref('currencies') }}
),

rates as (
    select
        fiscal_period,
        from_currency,
        to_currency,
        first_rate,
        second_rate
    from {{ ref('int_exchange_rates_by_period') }}
),

invoices as (
    select
        invoice_id,
        business_transaction_id,
        posting_fiscal_period
    from {{ ref('invoices') }}
    where invoice_status not in ('draft', 'void') and finalized_at is not null
),

payments as (
    select
        p.payment_id,
        p.external_id,
        p.invoice_id,
        p.customer_id,
        p.account_id,
        i.business_transaction_id,
        p.legal_entity,
        p.functional_currency,
        p.currency,
        p.amount,
        p.payment_date,
        p.posting_fiscal_period,
        i.posting_fiscal_period as invoice_posting_fiscal_period,
        p.batch_id
    from {{ ref('payments') }} as p
    left join invoices as i on p.invoice_id = i.invoice_id
    where p.charge_status = 'succeeded' and p.currency <> p.functional_currency
),

fx_payments as (
    select
        p.*,
        {{ to_functional_half_even('p.amount', '1', 'tm.minor_units') }} as amount_rounded,
        bi.first_rate as invoice_first_rate,
        bi.second_rate as invoice_second_rate,
        bp.first_rate as payment_first_rate,
        bp.second_rate as payment_second_rate,
        fm.minor_units as functional_minor_units
    from payments as p
    inner join currencies as tm on p.currency = tm.currency
    inner join currencies as fm on p.functional_currency = fm.currency
    inner join rates as bi
        on
            p.invoice_posting_fiscal_period = bi.fiscal_period
            and p.currency = bi.from_currency
            and p.functional_currency = bi.to_currency
    inner join rates as bp
        on
            p.posting_fiscal_period = bp.fiscal_period
            and p.currency = bp.from_currency
            and p.functional_currency = bp.to_currency
),

-- the receivable booked at the invoice's rate less the receivable the payment relieved: > 0 a
-- loss (Dr realized FX), < 0 a gain
source_lines as (
    select
        'realized_fx' as source_type,
        'fx_difference' as amount_source,
        payment_id as journal_key,
        payment_id as source_id,
        invoice_id,
        external_id as related_external_id,
        functional_currency as currency,
        {{ convert_half_even(
            'amount_rounded', 'invoice_first_rate', 'invoice_second_rate', 'functional_minor_units'
        ) }}
        - {{ convert_half_even(
            'amount_rounded', 'payment_first_rate', 'payment_second_rate', 'functional_minor_units'
        ) }}
            as amount,
        legal_entity,
        functional_currency,
        payment_date as document_date,
        customer_id,
        account_id,
        business_transaction_id,
        batch_id
    from fx_payments
)

{{ journal_lines_from_rules('source_lines') }}
