with

source as (
    {{ latest_delivery("select * from " ~ source('billing', 'meter_events'), ['event_name', 'identifier']) }}
),

renamed as (
    select
        identifier as meter_event_id,
        event_name,
        livemode as is_livemode,
        created as created_at,
        timestamp as occurred_at,
        stripe_customer_id as customer_id,
        value,
        payload,
        {{ landing_lineage() }}
    from source
)

select * from renamed
