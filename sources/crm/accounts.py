"""Contract for CRM accounts (`crm/accounts`): one row per customer account.

File: `inbox/crm/accounts.csv` (or `accounts_<anything>.csv`, `accounts-….csv`, `.csv.gz`),
UTF-8 (a BOM is fine), comma-separated, a header row with these column names (order free,
extra columns ignored). An empty cell is null. Key: `account_id`.

| column | landed type | required | rule |
|---|---|---|---|
| account_id | string | yes | the CRM's id: letters, digits, `_ . : -` (`ACC-0001`, `customer-1`) |
| account_name | string | yes | the account's name as the CRM shows it |
| parent_account_id | string | no | an account id (customer hierarchy) |
| billing_country | string | yes | ISO 3166 alpha-2, upper-case (`US`) |
| region | string | yes | `us-east`, `eu-west`, `ap-northeast` |
| legal_entity | string | yes | legal entity code `[A-Z]{2}[0-9]{2}` (`US01`, `UK01`, `JP01`) |
| currency | string | yes | upper-case ISO 4217 (`USD`) |
| stripe_customer_id | string | no | `cus_…` |
| netsuite_customer_id | int64 | no | positive integer (erp customer.id) |
| created_at | timestamp(us) | yes | RFC 3339 with offset, naive UTC, 2000..2100 |

Reasons: missing_field, bad_identifier, bad_country, unknown_enum, bad_legal_entity, wrong_type,
non_positive_id, bad_timestamp, timestamp_without_offset (schema); unknown_currency,
timestamp_out_of_range (business_rule).

Example:

    account_id,account_name,parent_account_id,billing_country,region,legal_entity,currency,stripe_customer_id,netsuite_customer_id,created_at
    ACC-0001,Acme Corp,,US,us-east,US01,USD,cus_0001,101,2026-08-01T09:00:00Z
"""

from __future__ import annotations

from sources import table_spec
from sources.crm import _common

SPEC = table_spec.load("crm", "accounts")
validate = _common.validator(SPEC)
