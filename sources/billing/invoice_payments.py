"""Contract for Stripe invoice payments (`inbox/billing/invoice_payments*.jsonl[.gz]`,
prefix `invoice_payments`).

One Stripe `invoice_payment` object per line (API 2025-03-31 "basil" and later: a charge no
longer names its invoice; the invoice payment links the invoice to the PaymentIntent or charge
that paid it; `GET /v1/invoice_payments`, or an invoice's `payments` list). Key: `id`.
Landed table `billing/invoice_payments`:

| column | landed type | required | from | rule |
|---|---|---|---|---|
| id | string | yes | | `inpay_…` |
| livemode | bool | no | | must be a boolean when present |
| created | timestamp(us) | yes | | Unix seconds -> naive UTC, 2000..2100 |
| invoice | string | yes | | `in_…` (the id, or the expanded invoice's id) |
| currency | string | yes | | lower-case known ISO 4217, landed as sent |
| amount_requested | int64 | yes | | minor units, >= 0 |
| amount_paid | int64 | no | | null until paid; minor units, >= 0 |
| is_default | bool | no | | true or false when present |
| status | string | yes | | open, paid, canceled |
| payment_type | string | yes | | payment_intent, charge, payment_record |
| payment_intent | string | no | `payment.payment_intent` | `pi_…` (id or expanded) |
| charge | string | no | `payment.charge` | `ch_…` / `py_…` (id or expanded) |
| payment_record | string | no | `payment.payment_record` | any id (id or expanded) |
| status_transitions_paid_at | timestamp(us) | no | | set if paid |
| status_transitions_canceled_at | timestamp(us) | no | | as sent |

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

from sources import table_spec
from sources.billing import _fields
from sources.billing._common import accounting_error
from sources.contract import rule_error, schema_error

SPEC = table_spec.load("billing", "invoice_payments")
TABLE = SPEC.table
SCHEMA = table_spec.schema(SPEC)


def check(row: dict) -> None:
    """The payment names the object of its type; a paid payment has its time; an accounting
    control: paid <= requested."""
    payment_type = row["payment_type"]
    if row[payment_type] is None:
        raise schema_error(
            "missing_payment_reference",
            f"'payment.{payment_type}' is null on a payment of type {payment_type}",
        )
    if row["status"] == "paid" and row["status_transitions_paid_at"] is None:
        raise rule_error(
            "missing_paid_at", "'status_transitions.paid_at' is null on a paid invoice payment"
        )
    paid, requested = row["amount_paid"], row["amount_requested"]
    if paid is not None and paid > requested:
        raise accounting_error(
            "paid_exceeds_requested",
            f"'amount_paid' {paid} is more than 'amount_requested' {requested}",
        )


validate = _fields.validator(SPEC, "invoice_payment", check)
