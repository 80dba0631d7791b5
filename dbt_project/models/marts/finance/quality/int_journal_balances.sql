{#- Per journal, legal entity and transaction currency: the debit and credit totals in
    transaction and functional amounts, and their difference (debit - credit). Double entry
    holds when both imbalances are zero; the dbt test and the journal gate read this view. -#}
select
    journal_id,
    legal_entity,
    currency,
    sum(coalesce(debit, 0)) as debit_total,
    sum(coalesce(credit, 0)) as credit_total,
    sum(coalesce(functional_debit, 0)) as functional_debit_total,
    sum(coalesce(functional_credit, 0)) as functional_credit_total,
    sum(coalesce(debit, 0)) - sum(coalesce(credit, 0)) as imbalance,
    sum(coalesce(functional_debit, 0)) - sum(coalesce(functional_credit, 0))
        as functional_imbalance
from {{ ref('journal_lines') }}
group by journal_id, legal_entity, currency
