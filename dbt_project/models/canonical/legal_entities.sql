{#- Legal entities (NetSuite subsidiaries) with their functional currency and fiscal calendar.
    The code is the subsidiary's tranprefix, an optional NetSuite field: a subsidiary without one
    is named by its internal id (unique, never null), and unmapped_records lists it
    (subsidiary_without_tranprefix), since no CRM legal entity code can name it. -#}
select
    cast(coalesce(s.legal_entity_code, cast(s.subsidiary_id as string)) as string) as legal_entity,
    cast(s.subsidiary_id as bigint) as subsidiary_id,
    cast(s.subsidiary_name as string) as legal_entity_name,
    cast(s.legal_name as string) as legal_name,
    cast(s.country as string) as country,
    cast(c.currency as string) as functional_currency,
    cast(cur.minor_units as integer) as functional_minor_units,
    cast(s.fiscal_calendar as bigint) as fiscal_calendar_id
from {{ ref('stg_erp__subsidiaries') }} as s
left join {{ ref('stg_erp__currencies') }} as c on s.currency_id = c.currency_id
left join {{ ref('currencies') }} as cur on c.currency = cur.currency
where not s.is_elimination
