{#- One row per posted ERP accounting line (NetSuite transactionaccountingline) with its
    transaction, line, account, period, legal entity, currencies and customer; debit/credit in the
    legal entity's functional currency, the foreign amount in the transaction currency. The
    billing document behind a usage-to-cash journal is parsed from the external id
    (U2C-INV-in_… -> invoice in_…, U2C-CN-, U2C-PAY-, U2C-REF-). Every transaction type is here;
    a line counts only while its transaction is live (delivered and not deleted: staging drops
    deleted records), as NetSuite deletes a transaction's lines with it. account_reference names
    the account as the ERP import and the chart vars do: its number, or its full name when it
    has none (accounts are identified by account_id, the number is optional). -#}
with

accounting_lines as (
    select
        accounting_book_id,
        transaction_id,
        transaction_line_id,
        account_id,
        debit,
        credit,
        exchange_rate,
        is_posting,
        batch_id,
        landed_at
    from {{ ref('stg_erp__transaction_accounting_lines') }}
    -- NetSuite writes accounting lines without an account for non-posting transactions (a sales
    -- order); landing lets them in only without an amount (missing_account), so no GL line
    where account_id is not null
),

transactions as (
    select
        transaction_id,
        transaction_number,
        transaction_type,
        memo,
        transaction_date,
        created_at,
        currency_id,
        netsuite_customer_id,
        period_id,
        is_posting,
        is_reversal,
        external_id
    from {{ ref('stg_erp__transactions') }}
),

transaction_lines as (
    select
        transaction_id,
        transaction_line_id,
        subsidiary_id,
        netsuite_customer_id,
        memo,
        foreign_amount
    from {{ ref('stg_erp__transaction_lines') }}
),

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
        al.*,
        t.transaction_number,
        t.transaction_type,
        t.transaction_date,
        t.created_at,
        t.currency_id,
        t.period_id,
        t.is_reversal,
        t.external_id,
        coalesce(tl.memo, t.memo) as memo,
        coalesce(tl.netsuite_customer_id, t.netsuite_customer_id) as netsuite_customer_id,
        coalesce(tl.subsidiary_id, a.subsidiary_id, nc.subsidiary_id) as subsidiary_id,
        nc.crm_account_id,
        coalesce(al.is_posting, t.is_posting) as is_posting_line,
        tl.foreign_amount,
        a.account_number,
        coalesce(a.account_number, a.account_name) as account_reference,
        a.account_type,
        a.account_name
    from accounting_lines as al
    inner join transactions as t on al.transaction_id = t.transaction_id
    left join transaction_lines as tl
        on
            al.transaction_id = tl.transaction_id
            and al.transaction_line_id = tl.transaction_line_id
    left join accounts as a on al.account_id = a.account_id
    left join netsuite_customers as nc
        on coalesce(tl.netsuite_customer_id, t.netsuite_customer_id) = nc.netsuite_customer_id
)

select
    cast(j.transaction_id as bigint) as transaction_id,
    cast(j.transaction_line_id as bigint) as transaction_line_id,
    cast(j.account_id as bigint) as account_id,
    cast(j.accounting_book_id as bigint) as accounting_book_id,
    cast(j.external_id as varchar) as external_id,
    cast({{ u2c_document_type('j.external_id') }} as varchar) as document_type,
    cast({{ u2c_document_id('j.external_id') }} as varchar) as document_id,
    cast(j.transaction_type as varchar) as transaction_type,
    cast(j.transaction_number as varchar) as transaction_number,
    cast(j.transaction_date as date) as transaction_date,
    cast(j.created_at as timestamp) as created_at,
    cast(j.memo as varchar) as memo,
    cast(j.account_number as varchar) as account_number,
    cast(j.account_reference as varchar) as account_reference,
    cast(j.account_type as varchar) as account_type,
    cast(j.account_name as varchar) as account_name,
    cast(j.netsuite_customer_id as bigint) as netsuite_customer_id,
    cast(j.crm_account_id as varchar) as crm_account_id,
    cast(e.legal_entity as varchar) as legal_entity,
    cast(ca.region as varchar) as region,
    cast(e.functional_currency as varchar) as functional_currency,
    cast(cur.currency as varchar) as transaction_currency,
    cast(coalesce(j.debit, 0) as decimal(38, 9)) as debit,
    cast(coalesce(j.credit, 0) as decimal(38, 9)) as credit,
    cast(j.foreign_amount as decimal(38, 9)) as foreign_amount,
    cast(j.exchange_rate as decimal(38, 12)) as exchange_rate,
    cast(j.period_id as bigint) as period_id,
    cast(p.fiscal_period as varchar) as fiscal_period,
    cast(p.is_closed as boolean) as period_is_closed,
    cast(j.is_posting_line as boolean) as is_posting,
    cast(j.is_reversal as boolean) as is_reversal,
    cast(j.batch_id as varchar) as batch_id,
    cast(j.landed_at as timestamp) as landed_at
from joined as j
left join periods as p on j.period_id = p.period_id
left join entities as e on j.subsidiary_id = e.subsidiary_id
left join currencies as cur on j.currency_id = cur.currency_id
left join crm_accounts as ca on j.crm_account_id = ca.account_id
