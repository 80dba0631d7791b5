"""Contract for CRM contract amendments (`crm/contract_amendments`): one row per contract
version (new, upgrade, renewal, termination, ...), each with the business transaction id that
billing and the ERP share.

File: `inbox/crm/contract_amendments.csv` (or `contract_amendments_….csv`, `-….csv`, `.csv.gz`),
UTF-8, a header row with these column names (order free, extra columns ignored). An empty cell
is null. Key: `amendment_id`; (`contract_id`, `contract_version`) is unique too (checked
downstream, across rows).

| column | landed type | required | rule |
|---|---|---|---|
| amendment_id | string | yes | `AMD-…` (`AMD-0001`) |
| contract_id | string | yes | `CTR-…` |
| business_transaction_id | string | yes | `BTX-…` |
| contract_version | int64 | yes | integer >= 1 |
| amendment_type | string | yes | new, upgrade, downgrade, renewal, price_change, termination |
| effective_from | date32 | yes | `YYYY-MM-DD`, inclusive |
| effective_to | date32 | no | `YYYY-MM-DD`, exclusive, after effective_from; empty = open-ended |
| plan_code | string | yes | the company's plan code (`growth`): a-z, 0-9, `_ -` |
| platform_fee | decimal128(38,9) | yes | major units per month, >= 0, currency's decimals at most |
| minimum_commitment | decimal128(38,9) | yes | as platform_fee; 0 = none |
| currency | string | yes | upper-case ISO 4217 |
| legal_entity | string | yes | legal entity code (`US01`) |
| region | string | yes | `us-east`, `eu-west`, `ap-northeast` |
| signed_at | timestamp(us) | no | RFC 3339 with offset, naive UTC, 2000..2100 |

Reasons: missing_field, bad_identifier, wrong_type, unknown_enum, bad_date, too_many_decimals,
out_of_range, bad_legal_entity, bad_timestamp, timestamp_without_offset (schema);
contract_version_out_of_range, negative_value, unknown_currency, effective_to_not_after_from,
timestamp_out_of_range (business_rule).

Example:

    amendment_id,contract_id,business_transaction_id,contract_version,amendment_type,effective_from,effective_to,plan_code,platform_fee,minimum_commitment,currency,legal_entity,region,signed_at
    AMD-0001,CTR-0001,BTX-0001,1,new,2026-08-01,2026-09-15,growth,1250.00,0,USD,US01,us-east,2026-07-28T15:30:00Z
"""

from __future__ import annotations

from sources import table_spec
from sources.contract import rule_error
from sources.crm import _common
from sources.csv_fields import check_currency_scale

SPEC = table_spec.load("crm", "contract_amendments")


def check(row: dict) -> None:
    """Fees in the currency's minor units; a bounded amendment ends after it starts."""
    check_currency_scale(row, ("platform_fee", "minimum_commitment"), "currency")
    if row["effective_to"] is not None and row["effective_to"] <= row["effective_from"]:
        raise rule_error(
            "effective_to_not_after_from",
            f"'effective_to' {row['effective_to']} is not after "
            f"'effective_from' {row['effective_from']}",
        )


validate = _common.validator(SPEC, check)
