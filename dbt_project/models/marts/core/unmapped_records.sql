{#- Records one system has and the identity map cannot link to the others, and references to
    records the extracts do not hold (a credit note whose invoice is not in the billing extract,
    a partial delivery). They stay in their marts, and the relationship tests on them only warn:
    this lists them with the reason, so nothing unmapped goes unseen and nothing fails the build. -#}
with

exceptions as (
    select * from {{ ref('int_unmapped_identities') }}
    union all
    select * from {{ ref('int_unmapped_catalog') }}
    union all
    select * from {{ ref('int_unmapped_billing') }}
    union all
    select * from {{ ref('int_unmapped_erp') }}
    union all
    select * from {{ ref('int_unmapped_usage') }}
)

select
    cast(system as string) as system,
    cast(record_type as string) as record_type,
    cast(record_id as string) as record_id,
    cast(reason as string) as reason,
    cast(detail as string) as detail
from exceptions
