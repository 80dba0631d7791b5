"""Contract for Stripe invoice payments (`inbox/billing/invoice_payments*.jsonl[.gz]`,
prefix `invoice_payments`).

One Stripe `invoice_payment` object per line (API 2025-03-31 "basil" and later: a charge no
longer names its invoice; the invoice payment links the invoice to the PaymentIntent or charge
that paid it; `GET /v1/invoice_payments`, or an invoice's `payments` list). Key: `id`.
Landed table `billing/invoice_payments`:

| column | type | from / rule |
|---|---|---|
| id | string | required, `inpay_…` |
| livemode | bool | nullable; must be a boolean when present |
| created | timestamp(us) | required Unix seconds -> naive UTC, 2000..2100 |
| invoice | string | required, `in_…` (the id, or the expanded invoice's id) |
| currency | string | required, lower-case known ISO 4217, landed as sent |
| amount_requested | int64 | required, minor units, >= 0 |
| amount_paid | int64 | nullable (null until paid), minor units, >= 0 |
| is_default | bool | nullable |
| status | string | required: open, paid, canceled |
| payment_type | string | `payment.type`: payment_intent, charge, payment_record (required) |
| payment_intent | string | `payment.payment_intent`, `pi_…` (id or expanded), nullable |
| charge | string | `payment.charge`, `ch_…` / `py_…` (id or expanded), nullable |
| payment_record | string | `payment.payment_record`, nullable |
| status_transitions_paid_at | timestamp(us) | nullable; required when paid |
| status_transitions_canceled_at | timestamp(us) | nullable |

Rules: `object` = "invoice_payment" (checked, not landed); the payment names what its type says
(`missing_payment_reference`, schema); amounts >= 0 (`negative_amount`); paid_at when paid
(`missing_paid_at`), business_rule. Accounting control: amount_paid <= amount_requested
(`paid_exceeds_requested`).

Example line:

    {"id": "inpay_0001", "object": "invoice_payment", "created": 1788231600,
     "livemode": false, "invoice": "in_0001", "currency": "usd", "amount_requested": 50000,
     "amount_paid": 50000, "is_default": true, "status": "paid",
     "payment": {"type": "payment_intent", "payment_intent": "pi_0001"},
     "status_transitions": {"paid_at": 1788231600, "canceled_at": null}}
"""

from __future__ import annotations

import pyarrow as pa

from sources.billing._common import (
    accounting_error,
    non_negative,
    opt_amount,
    opt_bool,
    opt_obj,
    opt_ref,
    opt_ts,
    req_amount,
    req_currency,
    req_enum,
    req_id,
    req_obj,
    req_ref,
    req_ts,
    stripe_object,
)
from sources.contract import TIMESTAMP, rule_error, schema_error

TABLE = "invoice_payments"
STATUSES = frozenset({"open", "paid", "canceled"})
PAYMENT_TYPES = frozenset({"payment_intent", "charge", "payment_record"})

SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("livemode", pa.bool_()),
        pa.field("created", TIMESTAMP, nullable=False),
        pa.field("invoice", pa.string(), nullable=False),
        pa.field("currency", pa.string(), nullable=False),
        pa.field("amount_requested", pa.int64(), nullable=False),
        pa.field("amount_paid", pa.int64()),
        pa.field("is_default", pa.bool_()),
        pa.field("status", pa.string(), nullable=False),
        pa.field("payment_type", pa.string(), nullable=False),
        pa.field("payment_intent", pa.string()),
        pa.field("charge", pa.string()),
        pa.field("payment_record", pa.string()),
        pa.field("status_transitions_paid_at", TIMESTAMP),
        pa.field("status_transitions_canceled_at", TIMESTAMP),
    ]
)


def validate(record: object) -> dict:
    """One parsed JSON value -> a row of SCHEMA, or raise Rejection."""
    rec = stripe_object(record, "invoice_payment")
    payment = req_obj(rec, "payment")
    payment_type = req_enum(
        payment, "type", PAYMENT_TYPES, where="payment.", code="unknown_payment_type"
    )
    transitions = opt_obj(rec, "status_transitions") or {}
    requested = req_amount(rec, "amount_requested")
    paid = opt_amount(rec, "amount_paid")
    status = req_enum(rec, "status", STATUSES)
    paid_at = opt_ts(transitions, "paid_at", where="status_transitions.")
    row = {
        "id": req_id(rec, "id", "inpay_"),
        "livemode": opt_bool(rec, "livemode"),
        "created": req_ts(rec, "created"),
        "invoice": req_ref(rec, "invoice", "in_"),
        "currency": req_currency(rec),
        "amount_requested": requested,
        "amount_paid": paid,
        "is_default": opt_bool(rec, "is_default"),
        "status": status,
        "payment_type": payment_type,
        "payment_intent": opt_ref(payment, "payment_intent", "pi_", where="payment."),
        "charge": opt_ref(payment, "charge", ("ch_", "py_"), where="payment."),
        "payment_record": opt_ref(payment, "payment_record", "", where="payment."),
        "status_transitions_paid_at": paid_at,
        "status_transitions_canceled_at": opt_ts(
            transitions, "canceled_at", where="status_transitions."
        ),
    }
    if row[payment_type] is None:
        raise schema_error(
            "missing_payment_reference",
            f"'payment.{payment_type}' is null on a payment of type {payment_type}",
        )
    non_negative(requested, "amount_requested")
    non_negative(paid, "amount_paid")
    if status == "paid" and paid_at is None:
        raise rule_error(
            "missing_paid_at", "'status_transitions.paid_at' is null on a paid invoice payment"
        )
    if paid is not None and paid > requested:
        raise accounting_error(
            "paid_exceeds_requested",
            f"'amount_paid' {paid} is more than 'amount_requested' {requested}",
        )
    return row
