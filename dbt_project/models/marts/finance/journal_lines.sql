{#- One row per journal line usage-to-cash sends to the ERP: the posted and converted lines of
    int_journal_lines_posted (derivation: int_journal_entries_derived), every journal that can be
    posted. A journal without a legal entity, functional currency, fiscal period or rate path
    (neither a direct rate nor one through the parent currency) is held whole (journals_held),
    never sent half-derived: no functional amount here is null, and the journal gate checks it. -#}
select
    journal_id,
    line_number,
    external_id,
    legal_entity,
    posting_period,
    posting_date,
    original_period,
    original_date,
    posting_reason,
    status,
    is_fallback_account,
    account,
    department,
    class,
    location,
    memo,
    currency,
    debit,
    credit,
    functional_currency,
    exchange_rate,
    conversion_path,
    functional_debit,
    functional_credit,
    source_system,
    source_type,
    source_id,
    source_line_id,
    invoice_id,
    related_external_id,
    business_transaction_id,
    batch_id,
    customer_id,
    crm_account_id,
    netsuite_customer_id
from {{ ref('int_journal_lines_posted') }}
where hold_reason is null
