{#- The lines each invoice should carry (platform fee, proration credit and charge per mid-period
    change, usage per metric, minimum commitment true-up), per subscription and billing period,
    each with the billed line it pairs with by match_key and the difference. The one-query
    line-by-line comparison, billed lines nobody expected included: invoice_line_comparison. -#}
with

compared as (
    select *
    from {{ ref('int_invoice_lines_compared') }}
    where is_expected
)

select
    {{ invoice_line_key_columns() }},
    cast(occurrence as integer) as occurrence,
    cast(contract_id as string) as contract_id,
    cast(contract_version as integer) as contract_version,
    cast(amendment_id as string) as amendment_id,
    cast(business_transaction_id as string) as business_transaction_id,
    cast(plan_code as string) as plan_code,
    cast(legal_entity as string) as legal_entity,
    cast(currency as string) as currency,
    cast(service_period_start as timestamp) as service_period_start,
    cast(service_period_end as timestamp) as service_period_end,
    cast(expected_quantity as decimal(38, 9)) as quantity,
    cast(expected_amount as decimal(38, 9)) as expected_amount,
    cast(is_invoiced_cycle as boolean) as is_invoiced_cycle,
    {{ billed_invoice_line_ids() }},
    cast(billed_quantity as decimal(38, 9)) as billed_quantity,
    cast(billed_amount as decimal(38, 9)) as billed_amount,
    cast(quantity_difference as decimal(38, 9)) as quantity_difference,
    cast(amount_difference as decimal(38, 9)) as amount_difference,
    {{ invoice_line_verdict() }}
from compared
