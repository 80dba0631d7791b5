with

source as (
    {{ latest_delivery("select * from " ~ source('erp', 'transaction'), ['id'], 'is_deleted', sync_markers=true) }}
),

renamed as (
    select
        id as transaction_id,
        transactionnumber as transaction_number,
        type as transaction_type,
        memo,
        trandate as transaction_date,
        status as transaction_status,
        createddate as created_at,
        duedate as due_date,
        currency as currency_id,
        entity as netsuite_customer_id,
        postingperiod as period_id,
        posting as is_posting,
        isreversal as is_reversal,
        reversal as reversal_transaction_id,
        reversaldate as reversal_date,
        externalid as external_id,
        batch_id,
        landed_at
    from source
)

select * from renamed
