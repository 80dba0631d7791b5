{#- One row per journal usage-to-cash derived but cannot post, with why: its document has no
    legal entity (the customer maps to no CRM account), no functional currency, no fiscal period
    (no ERP accounting periods cover its date) or no exchange rate for its posting period. A
    partial delivery (billing extracts without the CRM or the ERP) holds them here, visible,
    instead of failing the journal tests or sending half-derived journals. -#}
select
    cast(journal_id as string) as journal_id,
    cast(min(hold_reason) as string) as hold_reason,
    cast(min(source_system) as string) as source_system,
    cast(min(source_type) as string) as source_type,
    cast(min(source_id) as string) as source_id,
    cast(min(invoice_id) as string) as invoice_id,
    cast(min(legal_entity) as string) as legal_entity,
    cast(min(original_date) as date) as original_date,
    cast(min(currency) as string) as currency,
    cast(sum(debit) as decimal(38, 9)) as debit_total,
    cast(count(*) as integer) as line_count,
    cast(min(customer_id) as string) as customer_id
from {{ ref('int_journal_lines_posted') }}
where hold_reason is not null
group by journal_id
