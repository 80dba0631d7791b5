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
| contract_number | string | yes | |
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

from sources.contract import rule_error
from sources.crm._common import (
    ACCOUNT_ID,
    CONTRACT_ID,
    LEGAL_ENTITY,
    STRIPE_SUBSCRIPTION_ID,
    SYSTEM,
)
from sources.csv_fields import (
    CURRENCY,
    DATE,
    RFC3339,
    TEXT,
    Field,
    columns,
    enum,
    parse_row,
    required,
    schema,
)

__all__ = ["COLUMNS", "KEY", "REQUIRED", "SCHEMA", "SYSTEM", "TABLE", "validate"]

TABLE = "contracts"
KEY = ("contract_id",)

FIELDS = [
    Field("contract_id", CONTRACT_ID, required=True),
    Field("account_id", ACCOUNT_ID, required=True),
    Field("contract_number", TEXT, required=True),
    Field("status", enum("draft", "active", "terminated"), required=True),
    Field("start_date", DATE, required=True),
    Field("end_date", DATE),
    Field("currency", CURRENCY, required=True),
    Field("legal_entity", LEGAL_ENTITY, required=True),
    Field("billing_subscription_id", STRIPE_SUBSCRIPTION_ID),
    Field("signed_at", RFC3339),
]
COLUMNS = columns(FIELDS)
REQUIRED = required(FIELDS)
SCHEMA = schema(FIELDS)


def validate(record: dict[str, str | None]) -> dict:
    """One CSV record -> a row of SCHEMA, or raise Rejection."""
    row = parse_row(record, FIELDS)
    if row["end_date"] is not None and row["end_date"] < row["start_date"]:
        raise rule_error(
            "end_before_start",
            f"'end_date' {row['end_date']} is before 'start_date' {row['start_date']}",
        )
    return row
