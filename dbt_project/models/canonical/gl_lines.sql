{#- One row per posted ERP accounting line (NetSuite transactionaccountingline, with its
    transaction and line: int_erp_accounting_lines_joined) with its account, period, legal
    entity, currencies and customer; debit/credit in the legal entity's functional currency, the
    foreign amount in the transaction currency. The billing document behind a usage-to-cash
    journal is parsed from the external id (U2C-INV-in_… -> invoice in_…, U2C-CN-, U2C-PAY-,
    U2C-REF-). Every transaction type is here; a line counts only while its transaction is live
    (int_erp_accounting_lines_joined). account_reference names the account as the ERP import and
    the chart vars do: its number, or its full name when it has none (accounts are identified by
    account_id, the number is optional). -#}
with

accounts as (
    select
        account_id,
        account_number,
        account_type,
        account_name,
        subsidiary_id
    from {{ ref('stg_erp__accounts') }}
),

periods as (
    select
        period_id,
        {{ period_key('start_date') }} as fiscal_period,
        is_closed or coalesce(is_all_locked, false) as is_closed
    from {{ ref('stg_erp__accounting_periods') }}
),

entities as (
    select
        subsidiary_id,
        legal_entity,
        functional_currency
    from {{ ref('legal_entities') }}
),

currencies as (
    select
        currency_id,
        currency
    from {{ ref('stg_erp__currencies') }}
),

netsuite_customers as (
    select
        netsuite_customer_id,
        subsidiary_id,
        crm_account_id
    from {{ ref('int_erp_customers_resolved') }}
),

crm_accounts as (
    select
        account_id,
        region
    from {{ ref('customers') }}
),

joined as (
    select
        l.*,
        coalesce(l.line_subsidiary_id, a.subsidiary_id, nc.subsidiary_id) as subsidiary_id,
        nc.crm_account_id,
        a.account_number,
        coalesce(a.account_number, a.account_name) as account_reference,
        a.account_type,
        a.account_name
    from {{ ref('int_erp_accounting_lines_joined') }} as l
    left join accounts as a on l.account_id = a.account_id
    left join netsuite_customers as nc on l.netsuite_customer_id = nc.netsuite_customer_id
)

select
    cast(j.transaction_id as bigint) as transaction_id,
    cast(j.transaction_line_id as bigint) as transaction_line_id,
    cast(j.account_id as bigint) as account_id,
    cast(j.accounting_book_id as bigint) as accounting_book_id,
    cast(j.external_id as string) as external_id,
    cast({{ u2c_document_type('j.external_id') }} as string) as document_type,
    cast({{ u2c_document_id('j.external_id') }} as string) as document_id,
    cast(j.transaction_type as string) as transaction_type,
    cast(j.transaction_number as string) as transaction_number,
    cast(j.transaction_date as date) as transaction_date,
    cast(j.created_at as timestamp) as created_at,
    cast(j.memo as string) as memo,
    cast(j.account_number as string) as account_number,
    cast(j.account_reference as string) as account_reference,
    cast(j.account_type as string) as account_type,
    cast(j.account_name as string) as account_name,
    cast(j.netsuite_customer_id as bigint) as netsuite_customer_id,
    cast(j.crm_account_id as string) as crm_account_id,
    cast(e.legal_entity as string) as legal_entity,
    cast(ca.region as string) as region,
    cast(e.functional_currency as string) as functional_currency,
    cast(cur.currency as string) as transaction_currency,
    cast(coalesce(j.debit, 0) as decimal(38, 9)) as debit,
    cast(coalesce(j.credit, 0) as decimal(38, 9)) as credit,
    cast(j.foreign_amount as decimal(38, 9)) as foreign_amount,
    cast(j.exchange_rate as decimal(38, 12)) as exchange_rate,
    cast(j.period_id as bigint) as period_id,
    cast(p.fiscal_period as string) as fiscal_period,
    cast(p.is_closed as boolean) as period_is_closed,
    cast(j.is_posting_line as boolean) as is_posting,
    cast(j.is_reversal as boolean) as is_reversal,
    cast(j.batch_id as string) as batch_id,
    cast(j.landed_at as timestamp) as landed_at
from joined as j
left join periods as p on j.period_id = p.period_id
left join entities as e on j.subsidiary_id = e.subsidiary_id
left join currencies as cur on j.currency_id = cur.currency_id
left join crm_accounts as ca on j.crm_account_id = ca.account_id
