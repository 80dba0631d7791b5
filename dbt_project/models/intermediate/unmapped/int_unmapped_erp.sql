{#- Legal entities the ERP and the CRM cannot agree on: a subsidiary without a tranprefix, a CRM
    account naming a legal entity no subsidiary has: one row per record and reason; unmapped_records
    lists them all. -#}
with

accounts as (select * from {{ ref('stg_crm__accounts') }}),

subsidiaries as (select * from {{ ref('stg_erp__subsidiaries') }}),

entities as (select * from {{ ref('legal_entities') }})

select
    'erp' as system,
    'subsidiary' as record_type,
    cast(s.subsidiary_id as string) as record_id,
    'subsidiary_without_tranprefix' as reason,
    'no tranprefix: the legal entity is named by its internal id, no CRM code names it' as detail
from subsidiaries as s
where s.legal_entity_code is null and not s.is_elimination

union all

select
    'crm' as system,
    'account' as record_type,
    a.account_id as record_id,
    'legal_entity_not_in_erp' as reason,
    'legal entity ' || a.legal_entity_code || ' is no subsidiary tranprefix in the ERP' as detail
from accounts as a
where
    not exists (
        select 1 from entities as e
        where e.legal_entity = a.legal_entity_code
    )
