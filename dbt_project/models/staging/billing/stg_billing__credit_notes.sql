with

source as (
    {{ latest_delivery("select * from " ~ source('billing', 'credit_notes'), ['id']) }}
),

renamed as (
    select
        id as credit_note_id,
        created as created_at,
        invoice as invoice_id,
        customer as customer_id,
        upper(currency) as currency,
        amount as amount_minor,
        subtotal as subtotal_minor,
        total as total_minor,
        reason,
        status as credit_note_status,
        type as credit_note_type,
        number as credit_note_number,
        memo,
        coalesce(effective_at, created) as effective_at,
        refund as refund_id,
        voided_at,
        metadata,
        {{ landing_lineage() }}
    from source
)

select * from renamed
