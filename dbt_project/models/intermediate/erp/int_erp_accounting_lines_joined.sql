{#- Each live ERP accounting line (NetSuite transactionaccountingline) with its transaction and
    transaction line: the line's own memo, customer and posting flag, else its transaction's. A
    line counts only while its transaction is live (delivered and not deleted: staging drops
    deleted records), as NetSuite deletes a transaction's lines with it. gl_lines adds the
    account, period, legal entity, currencies and customer. -#}
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
)

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
    tl.subsidiary_id as line_subsidiary_id,
    coalesce(tl.memo, t.memo) as memo,
    coalesce(tl.netsuite_customer_id, t.netsuite_customer_id) as netsuite_customer_id,
    coalesce(al.is_posting, t.is_posting) as is_posting_line,
    tl.foreign_amount
from accounting_lines as al
inner join transactions as t on al.transaction_id = t.transaction_id
left join transaction_lines as tl
    on
        al.transaction_id = tl.transaction_id
        and al.transaction_line_id = tl.transaction_line_id
