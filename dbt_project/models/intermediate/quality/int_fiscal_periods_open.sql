{#- The fiscal periods a journal may post in: those the ERP has open. Read by the dbt test on
    int_journal_line_sides and by the journal gate. -#}
select fiscal_period
from {{ ref('fiscal_periods') }}
where not is_closed
