with

source as (
    {{ latest_delivery("select * from " ~ source('billing', 'invoices'), ['id']) }}
),

renamed as (
    select
        id as invoice_id,
        created as created_at,
        customer as customer_id,
        coalesce(subscription, parent_subscription_details_subscription) as subscription_id,
        status as invoice_status,
        billing_reason,
        collection_method,
        upper(currency) as currency,
        number as invoice_number,
        period_start,
        period_end,
        due_date,
        subtotal as subtotal_minor,
        coalesce(tax, total_taxes, 0) as tax_minor,
        total as total_minor,
        amount_due as amount_due_minor,
        amount_paid as amount_paid_minor,
        amount_remaining as amount_remaining_minor,
        status_transitions_finalized_at as finalized_at,
        status_transitions_paid_at as paid_at,
        status_transitions_voided_at as voided_at,
        layout,
        metadata,
        {{ landing_lineage() }}
    from source
)

select * from renamed
