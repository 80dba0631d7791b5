with

source as (
    {{ latest_delivery("select * from " ~ source('billing', 'credit_note_lines'), ['id']) }}
),

renamed as (
    select
        id as credit_note_line_id,
        credit_note as credit_note_id,
        line_index,
        type as line_type,
        invoice_line_item as invoice_line_id,
        quantity,
        unit_amount as unit_amount_minor,
        amount as amount_minor,
        description,
        {{ landing_lineage() }}
    from source
)

select * from renamed
