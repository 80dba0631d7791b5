{#- Expected and billed invoice lines paired by match_key, one row per key on either side: the
    line-by-line revenue assurance check in one query. Differences are billed minus expected. -#}
with

compared as (
    select * from {{ ref('int_invoice_lines_compared') }}
)

select
    cast(match_key as varchar) as match_key,
    cast(subscription_id as varchar) as subscription_id,
    cast(billing_period as varchar) as billing_period,
    cast(line_kind as varchar) as line_kind,
    cast(metric as varchar) as metric,
    cast(proration_side as varchar) as proration_side,
    cast(change_at as timestamp) as change_at,
    cast(legal_entity as varchar) as legal_entity,
    cast(currency as varchar) as currency,
    cast(is_expected as boolean) as is_expected,
    cast(is_billed as boolean) as is_billed,
    cast(period_invoice_id as varchar) as invoice_id,
    cast(invoice_line_id as varchar) as invoice_line_id,
    cast(expected_quantity as decimal(38, 9)) as expected_quantity,
    cast(billed_quantity as decimal(38, 9)) as billed_quantity,
    cast(quantity_difference as decimal(38, 9)) as quantity_difference,
    cast(expected_amount as decimal(38, 9)) as expected_amount,
    cast(billed_amount as decimal(38, 9)) as billed_amount,
    cast(amount_difference as decimal(38, 9)) as amount_difference,
    cast(comparison_status = 'matched' as boolean) as is_match,
    cast(comparison_status as varchar) as comparison_status
from compared
