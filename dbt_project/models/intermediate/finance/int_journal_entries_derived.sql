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
    And two journals that are no document of their own:
    - revenue recognition: per legal entity x recognition fiscal period x transaction currency
      (U2C-RR-<entity>-<YYYY-MM>-<currency>, dated the last day of the period), the deferred rows of
      revenue_schedule of that period (credit note rows, negative, net in): Dr the account the
      invoice line was credited to (its GL mapping rule: deferred revenue), Cr the revenue account
      the schedule names for the line (the product's gl_revenue_account), per account x
      department / class / location. Only periods the ERP has (fiscal_periods); rows whose mapped
      account already is the revenue account are left out (nothing deferred); a line of the
      fallback mapping rule, or whose product names no revenue account (Cr the unmapped revenue
      account), is flagged for review. Lineage: the journal's natural key as source id, the batch
      of the contributing invoice or credit note line landed last;
    - realized FX on payment (U2C-FX-<charge>, dated as the payment, in the functional currency):
      a succeeded payment in a currency other than the legal entity's functional currency relieves
      the receivable at the payment's posting-period rate, booked at the invoice's; the payment
      amount converted at both rates (each rounded half-even as journal_lines converts a line)
      differ by the realized FX: Cr receivable / Dr realized FX (loss) or the reverse (gain).
    - revenue accrual (U2C-ACCR-<entity>-<YYYY-MM>-<currency>, dated the last day of the accrual
      period; no customer): per legal entity x accrual fiscal period x transaction currency, the
      lines of int_revenue_accruals (usage and subscription revenue whose service period has ended
      and whose invoice is not yet posted): Dr unbilled receivable (var
      gl_account_unbilled_receivable) for their total, Cr each line's mapped account per account x
      department / class / location; reversed (U2C-ACCR-REV-<entity>-<YYYY-MM>-<currency>, dated
      the first day of the period the invoices post in) line for line, sides swapped, per legal
      entity x that period x currency. Lineage: the batch of the contract amendment landed last.
    Lines of zero amount are left out, as the ERP does. -#}
with

currencies as (
    select
        currency,
        minor_units,
        stripe_minor_units
    from {{ ref('currencies') }}
),

legal_entities as (
    select
        legal_entity,
        functional_currency
    from {{ ref('legal_entities') }}
),

fiscal as (
    select
        fiscal_period,
        end_date
    from {{ ref('fiscal_periods') }}
),

rates as (
    select
        fiscal_period,
        from_currency,
        to_currency,
        first_rate,
        second_rate
    from {{ ref('int_exchange_rates_by_period') }}
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
        posting_fiscal_period,
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
        p.posting_fiscal_period,
        i.posting_fiscal_period as invoice_posting_fiscal_period,
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
        l.landed_at,
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

-- the lines int_revenue_accruals accrues (revenue accrual and recognition of what is accrued)
accruals as (
    select
        accrual_line_id,
        legal_entity,
        currency,
        amount,
        credit_account,
        department,
        class,
        location,
        needs_review,
        accrual_fiscal_period,
        accrual_date,
        reversal_fiscal_period,
        reversal_date,
        batch_id,
        landed_at
    from {{ ref('int_revenue_accruals') }}
),

-- revenue recognition: the deferred schedule rows of the periods the ERP has, each with the
-- account its invoice line was credited to and the revenue account it is recognized into
schedule_line_batches as (
    select
        'invoice_line' as source_type,
        invoice_line_id as source_line_id,
        batch_id,
        landed_at
    from invoice_lines
    union all
    select
        'credit_note_line' as source_type,
        credit_note_line_id as source_line_id,
        batch_id,
        landed_at
    from {{ ref('stg_billing__credit_note_lines') }}
    union all
    select
        'accrued_line' as source_type,
        accrual_line_id as source_line_id,
        batch_id,
        landed_at
    from accruals
),

recognized as (
    select
        s.legal_entity,
        e.functional_currency,
        s.currency,
        s.recognition_fiscal_period,
        f.end_date as recognition_date,
        -- the account the invoice line (or, not invoiced yet, the accrual) credited
        coalesce(m.account_number, a.credit_account, '{{ var("gl_account_unmapped_revenue") }}')
            as deferred_account,
        coalesce(m.needs_review, a.needs_review, true) as is_deferred_fallback,
        coalesce(s.gl_revenue_account, '{{ var("gl_account_unmapped_revenue") }}') as revenue_account,
        s.gl_revenue_account is null as is_revenue_fallback,
        coalesce(m.department, a.department) as department,
        coalesce(m.class, a.class) as class,
        coalesce(m.location, a.location) as location,
        s.amount,
        b.batch_id,
        b.landed_at
    from {{ ref('revenue_schedule') }} as s
    inner join fiscal as f on s.recognition_fiscal_period = f.fiscal_period
    left join legal_entities as e on s.legal_entity = e.legal_entity
    left join mapped as m on s.invoice_line_id = m.invoice_line_id
    left join accruals as a
        on
            s.source_type = 'accrued_line'
            and s.source_line_id = a.accrual_line_id
    left join schedule_line_batches as b
        on
            s.source_type = b.source_type
            and s.source_line_id = b.source_line_id
    where s.is_deferred
),

recognition_journals as (
    -- one per legal entity x recognition period x currency; lineage: the batch landed last
    select
        legal_entity,
        functional_currency,
        currency,
        recognition_fiscal_period,
        recognition_date,
        {{ dbt.concat(['legal_entity', "'-'", 'recognition_fiscal_period', "'-'", 'currency']) }}
            as source_id,
        batch_id
    from (
        select
            *,
            row_number() over (
                partition by legal_entity, currency, recognition_fiscal_period
                order by landed_at desc nulls last, batch_id desc nulls last
            ) as batch_rank
        from recognized
        where deferred_account <> revenue_account
    ) as ranked
    where batch_rank = 1
),

recognition_sides as (
    -- Dr the deferred account the invoice credited, Cr the revenue account
    select
        1 as entry_group,
        r.legal_entity,
        r.currency,
        r.recognition_fiscal_period,
        r.deferred_account as account,
        r.department,
        r.class,
        r.location,
        r.is_deferred_fallback as is_fallback_account,
        'Deferred revenue recognized' as memo,
        r.amount
    from recognized as r
    where r.deferred_account <> r.revenue_account
    union all
    select
        2 as entry_group,
        r.legal_entity,
        r.currency,
        r.recognition_fiscal_period,
        r.revenue_account as account,
        r.department,
        r.class,
        r.location,
        r.is_revenue_fallback as is_fallback_account,
        'Revenue recognized' as memo,
        -r.amount as amount
    from recognized as r
    where r.deferred_account <> r.revenue_account
),

recognition_lines as (
    select
        legal_entity,
        currency,
        recognition_fiscal_period,
        entry_group,
        account,
        department,
        class,
        location,
        memo,
        max(case when is_fallback_account then 1 else 0 end) = 1 as is_fallback_account,
        sum(amount) as amount,
        row_number() over (
            partition by legal_entity, currency, recognition_fiscal_period, entry_group
            order by account, department, class, location
        ) as entry_index
    from recognition_sides
    group by
        legal_entity, currency, recognition_fiscal_period, entry_group, account, department, class,
        location, memo
),

revenue_recognition_entries as (
    -- revenue recognition: Dr deferred revenue, Cr revenue, per account and dimensions
    select
        {{ dbt.concat(["'U2C-RR-'", 'j.source_id']) }} as journal_id,
        'revenue_recognition' as source_type,
        'billing' as source_system,
        j.source_id,
        cast(null as varchar) as source_line_id,
        cast(null as varchar) as invoice_id,
        cast(null as varchar) as related_external_id,
        l.entry_group,
        l.entry_index,
        l.account,
        l.department,
        l.class,
        l.location,
        l.is_fallback_account,
        l.memo,
        l.currency,
        l.amount,
        l.legal_entity,
        j.functional_currency,
        j.recognition_date as document_date,
        cast(null as varchar) as customer_id,
        cast(null as varchar) as account_id,
        cast(null as varchar) as business_transaction_id,
        j.batch_id
    from recognition_lines as l
    inner join recognition_journals as j
        on
            l.legal_entity = j.legal_entity
            and l.currency = j.currency
            and l.recognition_fiscal_period = j.recognition_fiscal_period
),

-- revenue accrual: what int_revenue_accruals accrues per legal entity x accrual period x
-- currency (Dr unbilled receivable / Cr each line's mapped account), and its reversal per legal
-- entity x the period the invoices post in x currency (the same lines, sides swapped)
accrual_moves as (
    -- one row per accrual line and journal it is in: the accrual, and the reversal once invoiced
    select
        'accrual' as move,
        legal_entity,
        currency,
        accrual_fiscal_period as fiscal_period,
        accrual_date as document_date,
        1 as sign,
        amount,
        credit_account,
        department,
        class,
        location,
        needs_review,
        batch_id,
        landed_at
    from accruals
    union all
    select
        'reversal' as move,
        legal_entity,
        currency,
        reversal_fiscal_period as fiscal_period,
        reversal_date as document_date,
        -1 as sign,
        amount,
        credit_account,
        department,
        class,
        location,
        needs_review,
        batch_id,
        landed_at
    from accruals
    where reversal_fiscal_period is not null
),

accrual_journals as (
    -- the journal's date, id and lineage (the contract batch landed last)
    select
        move,
        legal_entity,
        currency,
        fiscal_period,
        document_date,
        {{ dbt.concat(['legal_entity', "'-'", 'fiscal_period', "'-'", 'currency']) }} as source_id,
        batch_id
    from (
        select
            *,
            row_number() over (
                partition by move, legal_entity, currency, fiscal_period
                order by landed_at desc nulls last, batch_id desc nulls last
            ) as batch_rank
        from accrual_moves
    ) as ranked
    where batch_rank = 1
),

accrual_sides as (
    -- accrual: Dr unbilled receivable (group 1), Cr the mapped accounts (group 2); the reversal
    -- debits the mapped accounts first (group 1) and credits unbilled receivable (group 2)
    select
        move,
        legal_entity,
        currency,
        fiscal_period,
        case when move = 'accrual' then 1 else 2 end as entry_group,
        '{{ var("gl_account_unbilled_receivable") }}' as account,
        cast(null as varchar) as department,
        cast(null as varchar) as class,
        cast(null as varchar) as location,
        false as is_fallback_account,
        'Unbilled receivable (accrued revenue)' as memo,
        sign * amount as amount
    from accrual_moves
    union all
    select
        move,
        legal_entity,
        currency,
        fiscal_period,
        case when move = 'accrual' then 2 else 1 end as entry_group,
        credit_account as account,
        department,
        class,
        location,
        needs_review as is_fallback_account,
        case when move = 'accrual' then 'Revenue accrued' else 'Accrued revenue reversed' end as memo,
        -sign * amount as amount
    from accrual_moves
),

accrual_lines as (
    select
        move,
        legal_entity,
        currency,
        fiscal_period,
        entry_group,
        account,
        department,
        class,
        location,
        memo,
        max(case when is_fallback_account then 1 else 0 end) = 1 as is_fallback_account,
        sum(amount) as amount,
        row_number() over (
            partition by move, legal_entity, currency, fiscal_period, entry_group
            order by account, department, class, location
        ) as entry_index
    from accrual_sides
    group by move, legal_entity, currency, fiscal_period, entry_group, account, department, class, location, memo
),

revenue_accrual_entries as (
    -- U2C-ACCR-<entity>-<YYYY-MM>-<currency>, dated the accrual period's last day, and its
    -- reversal U2C-ACCR-REV-<entity>-<YYYY-MM>-<currency>, dated the invoice period's first day
    select
        case
            when j.move = 'accrual' then {{ dbt.concat(["'U2C-ACCR-'", 'j.source_id']) }}
            else {{ dbt.concat(["'U2C-ACCR-REV-'", 'j.source_id']) }}
        end as journal_id,
        case when j.move = 'accrual' then 'revenue_accrual' else 'revenue_accrual_reversal' end
            as source_type,
        'billing' as source_system,
        j.source_id,
        cast(null as varchar) as source_line_id,
        cast(null as varchar) as invoice_id,
        cast(null as varchar) as related_external_id,
        l.entry_group,
        l.entry_index,
        l.account,
        l.department,
        l.class,
        l.location,
        l.is_fallback_account,
        l.memo,
        l.currency,
        l.amount,
        l.legal_entity,
        e.functional_currency,
        j.document_date,
        cast(null as varchar) as customer_id,
        cast(null as varchar) as account_id,
        cast(null as varchar) as business_transaction_id,
        j.batch_id
    from accrual_lines as l
    inner join accrual_journals as j
        on
            l.move = j.move
            and l.legal_entity = j.legal_entity
            and l.currency = j.currency
            and l.fiscal_period = j.fiscal_period
    left join legal_entities as e on l.legal_entity = e.legal_entity
),

-- realized FX: a foreign-currency payment converted at the invoice's and at the payment's
-- posting-period rate, as journal_lines converts the receivable lines of both journals
fx_payments as (
    select
        p.*,
        {{ to_functional_half_even('p.amount', '1', 'tm.minor_units') }} as amount_rounded,
        bi.first_rate as invoice_first_rate,
        bi.second_rate as invoice_second_rate,
        bp.first_rate as payment_first_rate,
        bp.second_rate as payment_second_rate,
        fm.minor_units as functional_minor_units
    from payments as p
    inner join currencies as tm on p.currency = tm.currency
    inner join currencies as fm on p.functional_currency = fm.currency
    inner join rates as bi
        on
            p.invoice_posting_fiscal_period = bi.fiscal_period
            and p.currency = bi.from_currency
            and p.functional_currency = bi.to_currency
    inner join rates as bp
        on
            p.posting_fiscal_period = bp.fiscal_period
            and p.currency = bp.from_currency
            and p.functional_currency = bp.to_currency
    where p.currency <> p.functional_currency
),

fx_differences as (
    select
        *,
        {{ convert_half_even(
            'amount_rounded', 'invoice_first_rate', 'invoice_second_rate', 'functional_minor_units'
        ) }}
        - {{ convert_half_even(
            'amount_rounded', 'payment_first_rate', 'payment_second_rate', 'functional_minor_units'
        ) }}
            as booked_less_relieved
    from fx_payments
),

fx_sides as (
    select
        1 as entry_group,
        '{{ var("gl_account_receivable") }}' as account,
        'Accounts receivable (realized FX)' as memo,
        -1 as sign
    union all
    select
        2 as entry_group,
        '{{ var("gl_account_realized_fx") }}' as account,
        'Realized FX gain/loss' as memo,
        1 as sign
),

realized_fx_entries as (
    -- realized FX (functional currency): Cr receivable, Dr realized FX for a loss (the receivable
    -- was booked higher than the payment relieved), the reverse for a gain
    select
        {{ dbt.concat(["'U2C-FX-'", 'x.payment_id']) }} as journal_id,
        'realized_fx' as source_type,
        'payments' as source_system,
        x.payment_id as source_id,
        cast(null as varchar) as source_line_id,
        x.invoice_id,
        x.external_id as related_external_id,
        s.entry_group,
        0 as entry_index,
        s.account,
        cast(null as varchar) as department,
        cast(null as varchar) as class,
        cast(null as varchar) as location,
        false as is_fallback_account,
        s.memo,
        x.functional_currency as currency,
        s.sign * x.booked_less_relieved as amount,
        x.legal_entity,
        x.functional_currency,
        x.document_date,
        x.customer_id,
        x.account_id,
        x.business_transaction_id,
        x.batch_id
    from fx_differences as x
    cross join fx_sides as s
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
    union all
    select * from revenue_recognition_entries
    union all
    select * from realized_fx_entries
    union all
    select * from revenue_accrual_entries
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
