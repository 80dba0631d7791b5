with

source as (
    {{ latest_delivery("select * from " ~ source('billing', 'credit_note_refunds'), ['credit_note', 'line_index']) }}
),

renamed as (
    select
        credit_note as credit_note_id,
        line_index as refund_index,
        refund as refund_id,
        amount_refunded as amount_refunded_minor,
        type as refund_type,
        payment_record_refund as payment_record_refund_group,
        {{ landing_lineage() }}
    from source
)

select * from renamed
