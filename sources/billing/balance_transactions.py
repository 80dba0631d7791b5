"""Contract for Stripe balance transactions (`inbox/billing/balance_transactions*.jsonl[.gz]`,
prefix `balance_transactions`).

One Stripe `balance_transaction` object per line. Key: `id`.
Landed table `billing/balance_transactions`:

| column | type | from / rule |
|---|---|---|
| id | string | required, `txn_…` |
| livemode | bool | nullable (Stripe's object has none; checked when present) |
| created | timestamp(us) | required Unix seconds -> naive UTC, 2000..2100 |
| amount, fee, net | int64 | required, minor units of the settlement currency (may be negative) |
| currency | string | required settlement currency, lower-case known ISO 4217, as sent |
| exchange_rate | decimal128(38,12) | nullable number, > 0; beyond 12 decimals rounded half-even |
| available_on | timestamp(us) | required |
| reporting_category | string | required, as sent (`charge`, `refund`, `fee`, …) |
| source | string | required, `ch_…`, `re_…`, `py_…`, `pyr_…` or `du_…` |
| status | string | required: available, pending |
| type | string | required: charge, refund, payment, payment_refund, adjustment |
| metadata | string | the whole metadata object as sorted compact JSON; null when absent |

Rules: `object` = "balance_transaction" (checked, not landed); exchange_rate > 0
(`non_positive_exchange_rate`, business_rule). Accounting control: net = amount - fee
(`net_mismatch`).

Example line:

    {"id": "txn_0001", "object": "balance_transaction", "created": 1788231600,
     "amount": 50000, "fee": 1480, "net": 48520, "currency": "usd", "exchange_rate": null,
     "available_on": 1788393600, "reporting_category": "charge", "source": "ch_0001",
     "status": "available", "type": "charge"}
"""

from __future__ import annotations

import pyarrow as pa

from sources.billing._common import (
    DECIMAL_12,
    accounting_error,
    metadata,
    opt_bool,
    opt_rate,
    req_amount,
    req_currency,
    req_enum,
    req_id,
    req_ref,
    req_str,
    req_ts,
    stripe_object,
)
from sources.contract import TIMESTAMP, rule_error

TABLE = "balance_transactions"
STATUSES = frozenset({"available", "pending"})
TYPES = frozenset({"charge", "refund", "payment", "payment_refund", "adjustment"})
SOURCE_PREFIXES = ("ch_", "re_", "py_", "pyr_", "du_")

SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("livemode", pa.bool_()),
        pa.field("created", TIMESTAMP, nullable=False),
        pa.field("amount", pa.int64(), nullable=False),
        pa.field("fee", pa.int64(), nullable=False),
        pa.field("net", pa.int64(), nullable=False),
        pa.field("currency", pa.string(), nullable=False),
        pa.field("exchange_rate", DECIMAL_12),
        pa.field("available_on", TIMESTAMP, nullable=False),
        pa.field("reporting_category", pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("status", pa.string(), nullable=False),
        pa.field("type", pa.string(), nullable=False),
        pa.field("metadata", pa.string()),
    ]
)


def validate(record: object) -> dict:
    """One parsed JSON value -> a row of SCHEMA, or raise Rejection."""
    rec = stripe_object(record, "balance_transaction")
    amount = req_amount(rec, "amount")
    fee = req_amount(rec, "fee")
    net = req_amount(rec, "net")
    exchange_rate = opt_rate(rec, "exchange_rate")
    row = {
        "id": req_id(rec, "id", "txn_"),
        "livemode": opt_bool(rec, "livemode"),
        "created": req_ts(rec, "created"),
        "amount": amount,
        "fee": fee,
        "net": net,
        "currency": req_currency(rec),
        "exchange_rate": exchange_rate,
        "available_on": req_ts(rec, "available_on"),
        "reporting_category": req_str(rec, "reporting_category"),
        "source": req_ref(rec, "source", SOURCE_PREFIXES),
        "status": req_enum(rec, "status", STATUSES),
        "type": req_enum(rec, "type", TYPES),
        **metadata(rec),
    }
    if exchange_rate is not None and exchange_rate <= 0:
        raise rule_error(
            "non_positive_exchange_rate", f"'exchange_rate' must be above 0, got {exchange_rate}"
        )
    if net != amount - fee:
        raise accounting_error(
            "net_mismatch",
            f"'net' {net} differs from 'amount' {amount} - 'fee' {fee} = {amount - fee}",
        )
    return row
