{#- The journal entries usage-to-cash derives from its billing documents, one row per entry line,
    signed in the transaction currency (debit > 0, credit < 0), before conversion and rounding
    (journal_lines). One journal per document, its id the ERP External ID (U2C-…):
    - invoice (finalized, not void): Dr receivable total; per line Cr its mapped revenue or deferred
      revenue account (a proration credit becomes a debit); Cr tax payable;
    - credit note (issued): the reverse, per credited line on that line's account, linked to the
      invoice it credits;
    - payment (succeeded charge): Dr processor clearing, Cr receivable;
    - refund (succeeded): Dr receivable, Cr processor clearing;
    - processor fee (balance transaction fee of a charge or refund, settlement currency): Dr
      processing fees, Cr processor clearing.
    Lines of zero amount are left out, as the ERP does. -#}
with

currencies as (
    select
        currency,
        stripe_minor_units
    from {{ ref('currencies') }}
),

customers as (
    select
        account_id,
        netsuite_customer_id
    from {{ ref('customers') }}
),

invoices as (
    select
        invoice_id,
        external_id,
        customer_id,
        account_id,
        business_transaction_id,
        legal_entity,
        functional_currency,
        currency,
        total,
        tax,
        cast(finalized_at as date) as document_date,
        batch_id
    from {{ ref('invoices') }}
    where invoice_status not in ('draft', 'void') and finalized_at is not null
),

credit_notes as (
    select
        n.credit_note_id,
        n.external_id,
        n.invoice_id,
        n.customer_id,
        n.account_id,
        i.business_transaction_id,
        n.legal_entity,
        n.functional_currency,
        n.currency,
        n.total,
        n.tax,
        n.effective_date as document_date,
        n.batch_id
    from {{ ref('credit_notes') }} as n
    left join invoices as i on n.invoice_id = i.invoice_id
    where n.credit_note_status = 'issued'
),

payments as (
    select
        p.payment_id,
        p.external_id,
        p.invoice_id,
        p.customer_id,
        p.account_id,
        i.business_transaction_id,
        p.legal_entity,
        p.functional_currency,
        p.currency,
        p.amount,
        p.payment_date as document_date,
        p.balance_transaction_id,
        p.settlement_currency,
        p.fee,
        p.batch_id
    from {{ ref('payments') }} as p
    left join invoices as i on p.invoice_id = i.invoice_id
    where p.charge_status = 'succeeded'
),

refunds as (
    select
        r.refund_id,
        r.external_id,
        r.payment_id,
        r.invoice_id,
        r.customer_id,
        r.account_id,
        i.business_transaction_id,
        r.legal_entity,
        r.functional_currency,
        r.currency,
        r.amount,
        r.refund_date as document_date,
        r.balance_transaction_id,
        r.settlement_currency,
        r.fee,
        r.batch_id
    from {{ ref('refunds') }} as r
    left join invoices as i on r.invoice_id = i.invoice_id
    where r.refund_status = 'succeeded'
),

balance_transactions as (
    select
        balance_transaction_id,
        batch_id
    from {{ ref('stg_billing__balance_transactions') }}
),

mapped as (
    select
        invoice_line_id,
        account_number,
        department,
        class,
        location,
        needs_review
    from {{ ref('int_gl_lines_mapped') }}
),

invoice_lines as (
    select
        l.invoice_line_id,
        l.invoice_id,
        l.line_index,
        l.description,
        l.amount,
        l.batch_id,
        m.account_number,
        m.department,
        m.class,
        m.location,
        m.needs_review
    from {{ ref('invoice_lines') }} as l
    left join mapped as m on l.invoice_line_id = m.invoice_line_id
),

credit_note_lines as (
    select
        n.credit_note_line_id,
        n.credit_note_id,
        n.line_index,
        n.description,
        n.batch_id,
        n.invoice_line_id,
        c.currency,
        {{ minor_to_major('n.amount_minor', 'cu.stripe_minor_units') }} as amount,
        m.account_number,
        m.department,
        m.class,
        m.location,
        m.needs_review
    from {{ ref('stg_billing__credit_note_lines') }} as n
    inner join credit_notes as c on n.credit_note_id = c.credit_note_id
    left join currencies as cu on c.currency = cu.currency
    left join mapped as m on n.invoice_line_id = m.invoice_line_id
),

payment_sides as (
    select
        1 as entry_group,
        '{{ var("gl_account_cash_clearing") }}' as account,
        'Processor clearing' as memo,
        1 as sign
    union all
    select
        2 as entry_group,
        '{{ var("gl_account_receivable") }}' as account,
        'Accounts receivable' as memo,
        -1 as sign
),

refund_sides as (
    select
        1 as entry_group,
        '{{ var("gl_account_receivable") }}' as account,
        'Accounts receivable' as memo,
        1 as sign
    union all
    select
        2 as entry_group,
        '{{ var("gl_account_cash_clearing") }}' as account,
        'Processor clearing' as memo,
        -1 as sign
),

fee_sides as (
    select
        1 as entry_group,
        '{{ var("gl_account_processing_fees") }}' as account,
        'Payment processing fees' as memo,
        1 as sign
    union all
    select
        2 as entry_group,
        '{{ var("gl_account_cash_clearing") }}' as account,
        'Processor clearing' as memo,
        -1 as sign
),

fee_sources as (
    select
        payment_id as source_id,
        external_id as related_external_id,
        balance_transaction_id,
        settlement_currency,
        fee,
        legal_entity,
        functional_currency,
        document_date,
        customer_id,
        account_id,
        invoice_id,
        business_transaction_id,
        batch_id
    from payments
    union all
    select
        refund_id as source_id,
        external_id as related_external_id,
        balance_transaction_id,
        settlement_currency,
        fee,
        legal_entity,
        functional_currency,
        document_date,
        customer_id,
        account_id,
        invoice_id,
        business_transaction_id,
        batch_id
    from refunds
),

invoice_receivable as (
    -- invoice: Dr receivable for the total
    select
        i.external_id as journal_id,
        'invoice' as source_type,
        'billing' as source_system,
        i.invoice_id as source_id,
        cast(null as varchar) as source_line_id,
        i.invoice_id,
        cast(null as varchar) as related_external_id,
        1 as entry_group,
        0 as entry_index,
        '{{ var("gl_account_receivable") }}' as account,
        cast(null as varchar) as department,
        cast(null as varchar) as class,
        cast(null as varchar) as location,
        false as is_fallback_account,
        'Accounts receivable' as memo,
        i.currency,
        i.total as amount,
        i.legal_entity,
        i.functional_currency,
        i.document_date,
        i.customer_id,
        i.account_id,
        i.business_transaction_id,
        i.batch_id
    from invoices as i
),

invoice_revenue as (
    -- invoice: Cr each line on its mapped account (a negative line becomes a debit)
    select
        i.external_id as journal_id,
        'invoice' as source_type,
        'billing' as source_system,
        i.invoice_id as source_id,
        l.invoice_line_id as source_line_id,
        i.invoice_id,
        cast(null as varchar) as related_external_id,
        2 as entry_group,
        l.line_index as entry_index,
        coalesce(l.account_number, '{{ var("gl_account_unmapped_revenue") }}') as account,
        l.department,
        l.class,
        l.location,
        coalesce(l.needs_review, true) as is_fallback_account,
        l.description as memo,
        i.currency,
        -l.amount as amount,
        i.legal_entity,
        i.functional_currency,
        i.document_date,
        i.customer_id,
        i.account_id,
        i.business_transaction_id,
        l.batch_id
    from invoices as i
    inner join invoice_lines as l on i.invoice_id = l.invoice_id
),

invoice_tax as (
    -- invoice: Cr tax payable
    select
        i.external_id as journal_id,
        'invoice' as source_type,
        'billing' as source_system,
        i.invoice_id as source_id,
        cast(null as varchar) as source_line_id,
        i.invoice_id,
        cast(null as varchar) as related_external_id,
        3 as entry_group,
        0 as entry_index,
        '{{ var("gl_account_tax_payable") }}' as account,
        cast(null as varchar) as department,
        cast(null as varchar) as class,
        cast(null as varchar) as location,
        false as is_fallback_account,
        'Sales tax payable' as memo,
        i.currency,
        -i.tax as amount,
        i.legal_entity,
        i.functional_currency,
        i.document_date,
        i.customer_id,
        i.account_id,
        i.business_transaction_id,
        i.batch_id
    from invoices as i
),

credit_note_revenue as (
    -- credit note: Dr each credited line on the account of the invoice line it credits
    select
        c.external_id as journal_id,
        'credit_note' as source_type,
        'billing' as source_system,
        c.credit_note_id as source_id,
        l.credit_note_line_id as source_line_id,
        c.invoice_id,
        {{ u2c_external_id('invoice', 'c.invoice_id') }} as related_external_id,
        1 as entry_group,
        l.line_index as entry_index,
        coalesce(l.account_number, '{{ var("gl_account_unmapped_revenue") }}') as account,
        l.department,
        l.class,
        l.location,
        coalesce(l.needs_review, true) as is_fallback_account,
        l.description as memo,
        c.currency,
        l.amount,
        c.legal_entity,
        c.functional_currency,
        c.document_date,
        c.customer_id,
        c.account_id,
        c.business_transaction_id,
        l.batch_id
    from credit_notes as c
    inner join credit_note_lines as l on c.credit_note_id = l.credit_note_id
),

credit_note_tax as (
    -- credit note: Dr tax payable
    select
        c.external_id as journal_id,
        'credit_note' as source_type,
        'billing' as source_system,
        c.credit_note_id as source_id,
        cast(null as varchar) as source_line_id,
        c.invoice_id,
        {{ u2c_external_id('invoice', 'c.invoice_id') }} as related_external_id,
        2 as entry_group,
        0 as entry_index,
        '{{ var("gl_account_tax_payable") }}' as account,
        cast(null as varchar) as department,
        cast(null as varchar) as class,
        cast(null as varchar) as location,
        false as is_fallback_account,
        'Sales tax payable' as memo,
        c.currency,
        c.tax as amount,
        c.legal_entity,
        c.functional_currency,
        c.document_date,
        c.customer_id,
        c.account_id,
        c.business_transaction_id,
        c.batch_id
    from credit_notes as c
),

credit_note_receivable as (
    -- credit note: Cr receivable for the total
    select
        c.external_id as journal_id,
        'credit_note' as source_type,
        'billing' as source_system,
        c.credit_note_id as source_id,
        cast(null as varchar) as source_line_id,
        c.invoice_id,
        {{ u2c_external_id('invoice', 'c.invoice_id') }} as related_external_id,
        3 as entry_group,
        0 as entry_index,
        '{{ var("gl_account_receivable") }}' as account,
        cast(null as varchar) as department,
        cast(null as varchar) as class,
        cast(null as varchar) as location,
        false as is_fallback_account,
        'Accounts receivable' as memo,
        c.currency,
        -c.total as amount,
        c.legal_entity,
        c.functional_currency,
        c.document_date,
        c.customer_id,
        c.account_id,
        c.business_transaction_id,
        c.batch_id
    from credit_notes as c
),

payment_entries as (
    -- payment: Dr processor clearing, Cr receivable
    select
        p.external_id as journal_id,
        'payment' as source_type,
        'payments' as source_system,
        p.payment_id as source_id,
        cast(null as varchar) as source_line_id,
        p.invoice_id,
        {{ u2c_external_id('invoice', 'p.invoice_id') }} as related_external_id,
        s.entry_group,
        0 as entry_index,
        s.account,
        cast(null as varchar) as department,
        cast(null as varchar) as class,
        cast(null as varchar) as location,
        false as is_fallback_account,
        s.memo,
        p.currency,
        s.sign * p.amount as amount,
        p.legal_entity,
        p.functional_currency,
        p.document_date,
        p.customer_id,
        p.account_id,
        p.business_transaction_id,
        p.batch_id
    from payments as p
    cross join payment_sides as s
),

refund_entries as (
    -- refund: Dr receivable, Cr processor clearing
    select
        r.external_id as journal_id,
        'refund' as source_type,
        'payments' as source_system,
        r.refund_id as source_id,
        cast(null as varchar) as source_line_id,
        r.invoice_id,
        {{ u2c_external_id('payment', 'r.payment_id') }} as related_external_id,
        s.entry_group,
        0 as entry_index,
        s.account,
        cast(null as varchar) as department,
        cast(null as varchar) as class,
        cast(null as varchar) as location,
        false as is_fallback_account,
        s.memo,
        r.currency,
        s.sign * r.amount as amount,
        r.legal_entity,
        r.functional_currency,
        r.document_date,
        r.customer_id,
        r.account_id,
        r.business_transaction_id,
        r.batch_id
    from refunds as r
    cross join refund_sides as s
),

fee_entries as (
    -- processor fee (settlement currency): Dr processing fees, Cr processor clearing
    select
        {{ dbt.concat(["'U2C-FEE-'", 'f.balance_transaction_id']) }} as journal_id,
        'processor_fee' as source_type,
        'payments' as source_system,
        f.source_id,
        f.balance_transaction_id as source_line_id,
        f.invoice_id,
        f.related_external_id,
        s.entry_group,
        0 as entry_index,
        s.account,
        cast(null as varchar) as department,
        cast(null as varchar) as class,
        cast(null as varchar) as location,
        false as is_fallback_account,
        s.memo,
        f.settlement_currency as currency,
        s.sign * f.fee as amount,
        f.legal_entity,
        f.functional_currency,
        f.document_date,
        f.customer_id,
        f.account_id,
        f.business_transaction_id,
        coalesce(b.batch_id, f.batch_id) as batch_id
    from fee_sources as f
    left join balance_transactions as b on f.balance_transaction_id = b.balance_transaction_id
    cross join fee_sides as s
    where f.balance_transaction_id is not null and f.fee <> 0
),

entries as (
    select * from invoice_receivable
    union all
    select * from invoice_revenue
    union all
    select * from invoice_tax
    union all
    select * from credit_note_revenue
    union all
    select * from credit_note_tax
    union all
    select * from credit_note_receivable
    union all
    select * from payment_entries
    union all
    select * from refund_entries
    union all
    select * from fee_entries
)

select
    cast(e.journal_id as varchar) as journal_id,
    cast(e.source_type as varchar) as source_type,
    cast(e.source_system as varchar) as source_system,
    cast(e.source_id as varchar) as source_id,
    cast(e.source_line_id as varchar) as source_line_id,
    cast(e.invoice_id as varchar) as invoice_id,
    cast(e.related_external_id as varchar) as related_external_id,
    cast(e.entry_group as integer) as entry_group,
    cast(e.entry_index as integer) as entry_index,
    cast(e.account as varchar) as account,
    cast(e.department as varchar) as department,
    cast(e.class as varchar) as class,
    cast(e.location as varchar) as location,
    cast(e.is_fallback_account as boolean) as is_fallback_account,
    cast(e.memo as varchar) as memo,
    cast(e.currency as varchar) as currency,
    cast(e.amount as decimal(38, 9)) as amount,
    cast(e.legal_entity as varchar) as legal_entity,
    cast(e.functional_currency as varchar) as functional_currency,
    cast(e.document_date as date) as original_date,
    cast(e.customer_id as varchar) as customer_id,
    cast(e.account_id as varchar) as crm_account_id,
    cast(c.netsuite_customer_id as bigint) as netsuite_customer_id,
    cast(e.business_transaction_id as varchar) as business_transaction_id,
    cast(e.batch_id as varchar) as batch_id
from entries as e
left join customers as c on e.account_id = c.account_id
where e.amount <> 0
