{#- The exchange rate every conversion into functional currency uses, per fiscal period and
    currency pair: the average consolidated rate of the accounting book the reconciliations read
    (var rec_accounting_book_id), the ERP's rate row of the lowest id when it holds several.
    A pair the ERP has no row for (a GBP document in the EUR entity: the consolidated rates run
    from each subsidiary's currency into the parent's) is triangulated through the parent
    currency (the currency of the subsidiary without a parent): from -> parent, then parent -> to,
    each leg at that period's rate row; the amount is multiplied by both legs and rounded once,
    at the end (macro convert_half_even). A pair with neither has no row: no rate path.
    Shared by int_billing_documents_converted, int_journal_entries_derived (realized FX),
    journal_lines and rec_usage_billing, so a document, its journal, its FX difference and its
    usage reconciliation convert alike. -#}
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

-- the consolidation parent: the subsidiary without a parent (the lowest id if several)
parent_currency as (
    select c.currency as parent_currency
    from {{ ref('stg_erp__subsidiaries') }} as s
    inner join erp_currencies as c on s.currency_id = c.currency_id
    where s.parent_subsidiary_id is null and not coalesce(s.is_elimination, false)
    order by s.subsidiary_id
    limit 1
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
),

direct as (
    select
        fiscal_period,
        from_currency,
        to_currency,
        exchange_rate_id,
        average_rate
    from ranked
    where rate_rank = 1 and from_currency <> to_currency
),

-- from -> parent -> to, where the ERP has both legs but no direct row
triangulated as (
    select
        a.fiscal_period,
        a.from_currency,
        b.to_currency,
        a.exchange_rate_id,
        b.exchange_rate_id as second_exchange_rate_id,
        a.to_currency as via_currency,
        a.average_rate as first_rate,
        b.average_rate as second_rate
    from direct as a
    cross join parent_currency as p
    inner join direct as b
        on
            a.fiscal_period = b.fiscal_period
            and a.to_currency = b.from_currency
    where
        a.to_currency = p.parent_currency
        and a.from_currency <> b.to_currency
        and not exists (
            select 1
            from direct as d
            where
                d.fiscal_period = a.fiscal_period
                and d.from_currency = a.from_currency
                and d.to_currency = b.to_currency
        )
),

paths as (
    select
        fiscal_period,
        from_currency,
        to_currency,
        'direct' as conversion_path,
        cast(null as string) as via_currency,
        exchange_rate_id,
        cast(null as bigint) as second_exchange_rate_id,
        average_rate as first_rate,
        cast(null as decimal(38, 12)) as second_rate
    from direct
    union all
    select
        fiscal_period,
        from_currency,
        to_currency,
        'triangulated' as conversion_path,
        via_currency,
        exchange_rate_id,
        second_exchange_rate_id,
        first_rate,
        second_rate
    from triangulated
)

select
    cast(fiscal_period as string) as fiscal_period,
    cast(from_currency as string) as from_currency,
    cast(to_currency as string) as to_currency,
    cast(conversion_path as string) as conversion_path,
    cast(via_currency as string) as via_currency,
    cast(exchange_rate_id as bigint) as exchange_rate_id,
    cast(second_exchange_rate_id as bigint) as second_exchange_rate_id,
    cast(first_rate as decimal(38, 12)) as first_rate,
    cast(second_rate as decimal(38, 12)) as second_rate,
    -- the rate the legs amount to, for the files and for reading; conversions use the legs
    cast(first_rate * coalesce(second_rate, 1) as decimal(38, 12)) as average_rate
from paths
