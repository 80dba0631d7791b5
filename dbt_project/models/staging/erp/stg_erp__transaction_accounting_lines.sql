with

source as (
    {{ latest_delivery(
        "select * from " ~ source('erp', 'transactionaccountingline'),
        ['accountingbook', 'transaction', 'transactionline'],
        'is_deleted',
        sync_markers=true
    ) }}
),

renamed as (
    select
        accountingbook as accounting_book_id,
        transaction as transaction_id,
        transactionline as transaction_line_id,
        account as account_id,
        amount,
        debit,
        credit,
        netamount as net_amount,
        exchangerate as exchange_rate,
        posting as is_posting,
        amountpaid as amount_paid,
        amountunpaid as amount_unpaid,
        batch_id,
        landed_at
    from source
)

select * from renamed
