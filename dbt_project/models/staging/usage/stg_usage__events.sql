with

source as (
    select * from {{ source('usage', 'events') }}
),

renamed as (
    select
        id as event_id,
        source as event_source,
        type as event_type,
        subject,
        time as occurred_at,
        datacontenttype as data_content_type,
        dataschema as data_schema,
        data,
        data_base64,
        extensions,
        payload_fingerprint,
        {{ landing_lineage() }}
    from source
)

select * from renamed
