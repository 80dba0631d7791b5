{#- The journal entries usage-to-cash derives, one row per entry line, signed in the transaction
    currency (debit > 0, credit < 0), before conversion and rounding (journal_lines): the union of
    the journals of models/intermediate/journals/, each derived from the seed journal_rules (doc
    block journal_rules). Lines of zero amount are left out, as the ERP does. -#}
with

entries as (
    {{ union_all_by_name([
        ref('int_journal_documents'),
        ref('int_journal_revenue_recognition'),
        ref('int_journal_realized_fx'),
    ]) }}
),

customers as (
    select
        account_id,
        netsuite_customer_id
    from {{ ref('customers') }}
)

select
    cast(e.journal_id as string) as journal_id,
    cast(e.source_type as string) as source_type,
    cast(e.source_system as string) as source_system,
    cast(e.source_id as string) as source_id,
    cast(e.source_line_id as string) as source_line_id,
    cast(e.invoice_id as string) as invoice_id,
    cast(e.related_external_id as string) as related_external_id,
    cast(e.entry_group as integer) as entry_group,
    cast(e.entry_index as integer) as entry_index,
    cast(e.account as string) as account,
    cast(e.department as string) as department,
    cast(e.class as string) as class,
    cast(e.location as string) as location,
    cast(e.is_fallback_account as boolean) as is_fallback_account,
    cast(e.memo as string) as memo,
    cast(e.currency as string) as currency,
    cast(e.amount as decimal(38, 9)) as amount,
    cast(e.legal_entity as string) as legal_entity,
    cast(e.functional_currency as string) as functional_currency,
    cast(e.document_date as date) as original_date,
    cast(e.customer_id as string) as customer_id,
    cast(e.account_id as string) as crm_account_id,
    cast(c.netsuite_customer_id as bigint) as netsuite_customer_id,
    cast(e.business_transaction_id as string) as business_transaction_id,
    cast(e.batch_id as string) as batch_id
from entries as e
left join customers as c on e.account_id = c.account_id
where e.amount <> 0
