{#- Expected and billed invoice lines paired by match_key, one row per key on either side: the
    line-by-line revenue assurance check in one query. Differences are billed minus expected. -#}
with

compared as (
    select * from {{ ref('int_invoice_lines_compared') }}
)

select
    {{ invoice_line_key_columns() }},
    cast(legal_entity as string) as legal_entity,
    cast(currency as string) as currency,
    cast(is_expected as boolean) as is_expected,
    cast(is_billed as boolean) as is_billed,
    {{ billed_invoice_line_ids() }},
    cast(expected_quantity as decimal(38, 9)) as expected_quantity,
    cast(billed_quantity as decimal(38, 9)) as billed_quantity,
    cast(quantity_difference as decimal(38, 9)) as quantity_difference,
    cast(expected_amount as decimal(38, 9)) as expected_amount,
    cast(billed_amount as decimal(38, 9)) as billed_amount,
    cast(amount_difference as decimal(38, 9)) as amount_difference,
    {{ invoice_line_verdict() }}
from compared
