{#- The accounts a journal line may name: active accounts of the ERP chart, by number, or by
    full name when the account has none (NetSuite's CSV import matches the Account column by
    name then). Read by the dbt test on int_journal_line_sides and by the journal gate. -#}
select distinct coalesce(account_number, account_name) as account
from {{ ref('stg_erp__accounts') }}
where not is_inactive
