"""Contract for CRM contracts (`crm/contracts`): one row per customer contract (its header;
terms and versions are in contract_amendments).

File: `inbox/crm/contracts.csv` (or `contracts_….csv`, `contracts-….csv`, `.csv.gz`; note
`contract_amendments…` and `contract_price_terms…` are other tables), UTF-8, a header row
with these column names (order free, extra columns ignored). An empty cell is null.
Key: `contract_id`.

| column | landed type | required | rule |
|---|---|---|---|
| contract_id | string | yes | `CTR-…` (`CTR-0001`) |
| account_id | string | yes | `ACC-…` (crm accounts) |
| contract_number | string | yes | the contract's number as the CRM shows it |
| status | string | yes | `draft`, `active`, `terminated` |
| start_date | date32 | yes | `YYYY-MM-DD` |
| end_date | date32 | no | `YYYY-MM-DD`, not before start_date; empty = open-ended |
| currency | string | yes | upper-case ISO 4217 |
| legal_entity | string | yes | legal entity code, `[A-Z]{2}[0-9]{2}` (`US01`) |
| billing_subscription_id | string | no | Stripe `sub_…` (empty while draft) |
| signed_at | timestamp(us) | no | RFC 3339 with offset, naive UTC, 2000..2100 (empty while draft) |

Reasons: missing_field, bad_identifier, unknown_enum, bad_date, bad_legal_entity, bad_timestamp,
timestamp_without_offset (schema); unknown_currency, timestamp_out_of_range,
end_before_start (business_rule).

Example:

    contract_id,account_id,contract_number,status,start_date,end_date,currency,legal_entity,billing_subscription_id,signed_at
    CTR-0001,ACC-0001,C-2026-001,active,2026-08-01,,USD,US01,sub_0001,2026-07-28T15:30:00Z
"""

from __future__ import annotations

from sources import table_spec
from sources.contract import rule_error
from sources.crm import _common

SPEC = table_spec.load("crm", "contracts")


def check(row: dict) -> None:
    """A contract does not end before it starts."""
    if row["end_date"] is not None and row["end_date"] < row["start_date"]:
        raise rule_error(
            "end_before_start",
            f"'end_date' {row['end_date']} is before 'start_date' {row['start_date']}",
        )


validate = _common.validator(SPEC, check)
