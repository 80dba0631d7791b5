with

source as (
    {{ latest_delivery(
        "select * from " ~ source('erp', 'customersubsidiaryrelationship'), ['id'], 'is_deleted',
        sync_markers=true
    ) }}
),

renamed as (
    select
        id as relationship_id,
        entity as netsuite_customer_id,
        subsidiary as subsidiary_id,
        isprimarysub as is_primary,
        batch_id,
        landed_at
    from source
)

select * from renamed
