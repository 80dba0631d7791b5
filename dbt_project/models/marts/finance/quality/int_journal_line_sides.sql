{#- Each journal line with the number of sides it uses (debit or credit, transaction or
    functional amount): the ERP takes exactly one. A view over journal_lines, so the dbt tests
    and the journal gate read the line as published. -#}
select
    journal_id,
    line_number,
    legal_entity,
    currency,
    account,
    posting_period,
    debit,
    credit,
    functional_debit,
    functional_credit,
    exchange_rate,
    (case when coalesce(debit, 0) + coalesce(functional_debit, 0) <> 0 then 1 else 0 end)
    + (case when coalesce(credit, 0) + coalesce(functional_credit, 0) <> 0 then 1 else 0 end)
        as sides_used
from {{ ref('journal_lines') }}
