{#- The journals of the billing and payment documents: their source lines through the journal
    rules (doc block journal_rules), one journal per document, its id the ERP External ID. -#}
with

source_lines as (
    {{ union_all_by_name([
        ref('int_journal_billing_document_lines'), ref('int_journal_payment_document_lines')
    ]) }}
)

{{ journal_lines_from_rules('source_lines') }}
