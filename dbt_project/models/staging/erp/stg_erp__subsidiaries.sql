with

source as (
    {{ latest_delivery("select * from " ~ source('erp', 'subsidiary'), ['id'], 'is_deleted', sync_markers=true) }}
),

renamed as (
    select
        id as subsidiary_id,
        name as subsidiary_name,
        legalname as legal_name,
        tranprefix as legal_entity_code,
        country,
        currency as currency_id,
        fiscalcalendar as fiscal_calendar,
        iselimination as is_elimination,
        parent as parent_subsidiary_id,
        batch_id,
        landed_at
    from source
)

select * from renamed
