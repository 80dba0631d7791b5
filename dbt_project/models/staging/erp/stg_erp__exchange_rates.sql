with

source as (
    {{ latest_delivery(
        "select * from " ~ source('erp', 'consolidatedexchangerate'), ['id'], 'is_deleted',
        sync_markers=true
    ) }}
),

renamed as (
    select
        id as exchange_rate_id,
        postingperiod as period_id,
        fromcurrency as from_currency_id,
        tocurrency as to_currency_id,
        fromsubsidiary as from_subsidiary_id,
        tosubsidiary as to_subsidiary_id,
        averagerate as average_rate,
        currentrate as current_rate,
        historicalrate as historical_rate,
        accountingbook as accounting_book_id,
        batch_id,
        landed_at
    from source
)

select * from renamed
