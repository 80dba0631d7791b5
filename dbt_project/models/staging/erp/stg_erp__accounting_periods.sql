with

source as (
    {{ latest_delivery("select * from " ~ source('erp', 'accountingperiod'), ['id'], 'is_deleted', sync_markers=true) }}
),

renamed as (
    select
        id as period_id,
        periodname as period_name,
        startdate as start_date,
        enddate as end_date,
        closed as is_closed,
        alllocked as is_all_locked,
        arlocked as is_ar_locked,
        isposting as is_posting,
        isquarter as is_quarter,
        isyear as is_year,
        isadjust as is_adjustment,
        batch_id,
        landed_at
    from source
)

select * from renamed
