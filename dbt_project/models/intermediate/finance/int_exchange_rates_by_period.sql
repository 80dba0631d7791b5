{#- The exchange rate every conversion into functional currency uses: one average consolidated
    rate per fiscal period and currency pair of the accounting book the reconciliations read
    (var rec_accounting_book_id), the ERP's rate row of the lowest id when it holds several.
    Shared by int_billing_documents_converted, int_journal_entries_derived (realized FX),
    journal_lines and rec_usage_billing, so a document, its journal, its FX difference and its
    usage reconciliation convert at the same rate. -#}
with

periods as (
    select
        period_id,
        fiscal_period
    from {{ ref('fiscal_periods') }}
),

erp_currencies as (
    select
        currency_id,
        currency
    from {{ ref('stg_erp__currencies') }}
),

ranked as (
    select
        p.fiscal_period,
        f.currency as from_currency,
        t.currency as to_currency,
        r.exchange_rate_id,
        r.average_rate,
        row_number() over (
            partition by p.fiscal_period, f.currency, t.currency
            order by r.exchange_rate_id
        ) as rate_rank
    from {{ ref('stg_erp__exchange_rates') }} as r
    inner join periods as p on r.period_id = p.period_id
    inner join erp_currencies as f on r.from_currency_id = f.currency_id
    inner join erp_currencies as t on r.to_currency_id = t.currency_id
    where r.accounting_book_id = {{ var('rec_accounting_book_id') }}
)

select
    fiscal_period,
    from_currency,
    to_currency,
    exchange_rate_id,
    average_rate
from ranked
where rate_rank = 1
