with

source as (
    {{ latest_delivery("select * from " ~ source('erp', 'account'), ['id'], 'is_deleted', sync_markers=true) }}
),

renamed as (
    select
        id as account_id,
        acctnumber as account_number,
        accttype as account_type,
        fullname as account_name,
        currency as currency_id,
        subsidiary as subsidiary_id,
        subsidiary_ids,
        isinactive as is_inactive,
        issummary as is_summary,
        parent as parent_account_id,
        batch_id,
        landed_at
    from source
)

select * from renamed
