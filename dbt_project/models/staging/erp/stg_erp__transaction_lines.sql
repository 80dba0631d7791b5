with

source as (
    {{ latest_delivery(
        "select * from " ~ source('erp', 'transactionline'), ['transaction', 'id'], 'is_deleted',
        sync_markers=true
    ) }}
),

renamed as (
    select
        transaction as transaction_id,
        id as transaction_line_id,
        subsidiary as subsidiary_id,
        entity as netsuite_customer_id,
        department as department_id,
        class as class_id,
        location as location_id,
        item as item_id,
        memo,
        mainline as is_main_line,
        netamount as net_amount,
        foreignamount as foreign_amount,
        quantity,
        rate,
        taxline as is_tax_line,
        transactionlinetype as transaction_line_type,
        batch_id,
        landed_at
    from source
)

select * from renamed
