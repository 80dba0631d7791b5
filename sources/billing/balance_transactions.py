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
| source | string | nullable (Stripe's own fees name none); SOURCE_PREFIXES, below |
| status | string | required: available, pending |
| type | string | required, one of TYPES (below): every type Stripe documents |

TYPES: Stripe's balance transaction types (API reference `balance_transaction.type`, and
https://docs.stripe.com/reports/balance-transaction-types): charges and payments (`charge`,
`payment`, `payment_failure_refund`, `payment_refund`, `payment_reversal`,
`payment_unreconciled`, `refund`, `refund_failure`, disputes as `adjustment`), balance moves
(`payout`, `payout_cancel`, `payout_failure`, `payout_minimum_balance_hold` / `_release`,
`topup`, `topup_reversal`, `stripe_fee`, `stripe_fx_fee`, `tax_fee`, `reserve_*`, …), Connect
(`application_fee`, `transfer`, …) and Issuing (`issuing_*`). SOURCE_PREFIXES: the objects a
balance transaction's `source` names: charge `ch_`, payment `py_`, refund `re_` / `pyr_`,
dispute `dp_` / `du_`, payout `po_`, transfer `tr_`, transfer reversal `trr_`, application fee
`fee_`, application fee refund `fr_`, top-up `tu_`, issuing authorization `iauth_`, issuing
transaction `ipi_`, issuing dispute `idp_`, reserve transaction `rtx_`, customer cash balance
transaction `ccsbtxn_`, tax deducted at source `itd_`, connect collection transfer `connct_`.
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
    opt_ref,
    req_amount,
    req_currency,
    req_enum,
    req_id,
    req_str,
    req_ts,
    stripe_object,
)
from sources.contract import TIMESTAMP, rule_error

TABLE = "balance_transactions"
STATUSES = frozenset({"available", "pending"})
# Stripe's documented `balance_transaction.type` values (the OpenAPI enum as of API 2025-08).
TYPES = frozenset(
    {
        "adjustment",
        "advance",
        "advance_funding",
        "anticipation_repayment",
        "application_fee",
        "application_fee_refund",
        "charge",
        "climate_order_purchase",
        "climate_order_refund",
        "connect_collection_transfer",
        "contribution",
        "fee_credit_funding",
        "inbound_transfer",
        "inbound_transfer_reversal",
        "issuing_authorization_hold",
        "issuing_authorization_release",
        "issuing_dispute",
        "issuing_transaction",
        "obligation_outbound",
        "obligation_reversal_inbound",
        "payment",
        "payment_failure_refund",
        "payment_network_reserve_hold",
        "payment_network_reserve_release",
        "payment_refund",
        "payment_reversal",
        "payment_unreconciled",
        "payout",
        "payout_cancel",
        "payout_failure",
        "payout_minimum_balance_hold",
        "payout_minimum_balance_release",
        "refund",
        "refund_failure",
        "reserve_hold",
        "reserve_release",
        "reserve_transaction",
        "reserved_funds",
        "stripe_balance_payment_debit",
        "stripe_balance_payment_debit_reversal",
        "stripe_fee",
        "stripe_fx_fee",
        "tax_fee",
        "tax_fund",
        "topup",
        "topup_reversal",
        "transfer",
        "transfer_cancel",
        "transfer_failure",
        "transfer_refund",
    }
)
SOURCE_PREFIXES = (
    "ch_",
    "py_",
    "re_",
    "pyr_",
    "dp_",
    "du_",
    "po_",
    "tr_",
    "trr_",
    "fee_",
    "fr_",
    "tu_",
    "iauth_",
    "ipi_",
    "idp_",
    "rtx_",
    "ccsbtxn_",
    "itd_",
    "connct_",
)

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
        pa.field("source", pa.string()),
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
        "source": opt_ref(rec, "source", SOURCE_PREFIXES),
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
