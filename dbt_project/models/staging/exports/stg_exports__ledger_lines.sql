with

source as (
    select * from {{ source('exports', 'export_ledger') }}
),

renamed as (
    select
        cast(export_batch_id as string) as export_batch_id,
        cast(export_sequence as bigint) as export_sequence,
        cast(export_mode as string) as export_mode,
        cast(export_date as date) as export_date,
        cast(external_id as string) as external_id,
        cast(journal_id as string) as journal_id,
        cast(line_number as integer) as line_number,
        cast(journal_kind as string) as journal_kind,
        cast(erp_external_id as string) as erp_external_id,
        cast(erp_line_number as integer) as erp_line_number,
        cast(source_type as string) as source_type,
        cast(legal_entity as string) as legal_entity,
        cast(posting_period as string) as posting_period,
        cast(posting_date as date) as posting_date,
        cast(account as string) as account,
        cast(currency as string) as currency,
        cast(debit as decimal(38, 9)) as debit,
        cast(credit as decimal(38, 9)) as credit,
        cast(functional_currency as string) as functional_currency,
        cast(functional_debit as decimal(38, 9)) as functional_debit,
        cast(functional_credit as decimal(38, 9)) as functional_credit
    from source
)

select * from renamed
