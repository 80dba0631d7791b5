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

-- the succeeded payments in a currency other than their entity's functional currency
payments as (
    select
        p.source_id as payment_id,
        p.external_id,
        p.invoice_id,
        p.amount,
        p.document_date,
        p.business_transaction_id,
        p.posting_fiscal_period,
        p.invoice_posting_fiscal_period,
        {{ journal_document_columns('p') }}
    from {{ ref('int_journal_payment_document_lines') }} as p
    where p.source_type = 'payment' and p.currency <> p.functional_currency
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
        x.payment_id as journal_key,
        x.payment_id as source_id,
        x.invoice_id,
        x.external_id as related_external_id,
        x.functional_currency as currency,
        {{ convert_half_even(
            'x.amount_rounded', 'x.invoice_first_rate', 'x.invoice_second_rate',
            'x.functional_minor_units'
        ) }}
        - {{ convert_half_even(
            'x.amount_rounded', 'x.payment_first_rate', 'x.payment_second_rate',
            'x.functional_minor_units'
        ) }}
            as amount,
        x.document_date,
        x.business_transaction_id,
        {{ journal_document_columns('x', exclude=['currency']) }}
    from fx_payments as x
)

{{ journal_lines_from_rules('source_lines') }}
