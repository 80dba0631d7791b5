{#- The legal entity rule, once (doc block legal_entity_rule): per billing document (invoice,
    credit note, payment, refund) the legal entity, region and functional currency it books in,
    with the CRM account of its customer and the billing period of its invoice. An invoice takes
    the contract version in effect at its period's end (its last instant, as usage_by_period),
    else its customer's account; a credit note, payment or refund takes its invoice's, else its
    customer's account (macro document_entity). Documents join it with join_document_entity. -#}
with

invoices as (
    select
        invoice_id,
        customer_id,
        subscription_id,
        period_start,
        period_end
    from {{ ref('stg_billing__invoices') }}
),

accounts as (
    select * from {{ ref('int_billing_customers_mapped') }}
),

charges as (
    select
        charge_id,
        invoice_id,
        customer_id
    from {{ ref('int_billing_charges_linked') }}
),

-- the contract version in effect at the period's end (its last instant), as usage_by_period
versions as (
    select
        invoice_id,
        contract_id,
        contract_version,
        business_transaction_id,
        legal_entity,
        region,
        functional_currency
    from (
        select
            i.invoice_id,
            v.contract_id,
            v.contract_version,
            v.business_transaction_id,
            v.legal_entity,
            v.region,
            v.functional_currency,
            row_number() over (
                partition by i.invoice_id order by v.contract_version desc
            ) as version_rank
        from invoices as i
        inner join {{ ref('subscriptions') }} as v
            on
                i.subscription_id = v.subscription_id
                and v.effective_from < cast(i.period_end as date)
                and (v.effective_to is null or v.effective_to >= cast(i.period_end as date))
    ) as ranked
    where version_rank = 1
),

invoice_entities as (
    select
        i.invoice_id,
        i.customer_id,
        a.account_id,
        {{ period_key('i.period_start') }} as billing_period,
        v.contract_id,
        v.contract_version,
        v.business_transaction_id,
        {{ document_entity('v.invoice_id', 'v', 'a') }}
    from invoices as i
    left join accounts as a on i.customer_id = a.stripe_customer_id
    left join versions as v on i.invoice_id = v.invoice_id
),

-- what settles or credits an invoice, with the invoice and customer it names
settling as (
    select
        'credit_note' as document_type,
        credit_note_id as document_id,
        invoice_id,
        customer_id
    from {{ ref('stg_billing__credit_notes') }}
    union all
    select
        'payment' as document_type,
        charge_id as document_id,
        invoice_id,
        customer_id
    from charges
    union all
    select
        'refund' as document_type,
        r.refund_id as document_id,
        ch.invoice_id,
        ch.customer_id
    from {{ ref('stg_billing__refunds') }} as r
    left join charges as ch on r.charge_id = ch.charge_id
),

documents as (
    -- invoice_entities has the columns below, in their order
    select
        'invoice' as document_type,
        invoice_id as document_id,
        *
    from invoice_entities
    union all
    select
        s.document_type,
        s.document_id,
        s.invoice_id,
        s.customer_id,
        a.account_id,
        i.billing_period,
        cast(null as string) as contract_id,
        cast(null as integer) as contract_version,
        cast(null as string) as business_transaction_id,
        {{ document_entity('i.invoice_id', 'i', 'a') }}
    from settling as s
    left join accounts as a on s.customer_id = a.stripe_customer_id
    left join invoice_entities as i on s.invoice_id = i.invoice_id
)

select
    cast(document_type as string) as document_type,
    cast(document_id as string) as document_id,
    cast(invoice_id as string) as invoice_id,
    cast(customer_id as string) as customer_id,
    cast(account_id as string) as account_id,
    cast(billing_period as string) as billing_period,
    cast(contract_id as string) as contract_id,
    cast(contract_version as integer) as contract_version,
    cast(business_transaction_id as string) as business_transaction_id,
    cast(legal_entity as string) as legal_entity,
    cast(region as string) as region,
    cast(functional_currency as string) as functional_currency
from documents
