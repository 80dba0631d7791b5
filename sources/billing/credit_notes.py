"""Contract for Stripe credit notes (`inbox/billing/credit_notes*.jsonl[.gz]`,
prefix `credit_notes`).

One Stripe `credit_note` object per line with all its lines. Key: `id`.
Landed table `billing/credit_notes`:

| column | landed type | required | from | rule |
|---|---|---|---|---|
| id | string | yes | | `cn_…` |
| livemode | bool | no | | true or false when present |
| created | timestamp(us) | yes | | Unix seconds -> naive UTC, 2000..2100 |
| invoice | string | yes | | `in_…` (id or expanded) |
| customer | string | yes | | `cus_…` (id or expanded) |
| currency | string | yes | | lower-case known ISO 4217, landed as sent |
| amount | int64 | yes | | minor units, >= 0; = total |
| subtotal | int64 | yes | | minor units; = the sum of the line amounts |
| total | int64 | yes | | minor units |
| reason | string | no | | duplicate, fraudulent, order_change, product_unsatisfactory |
| status | string | yes | | issued, void |
| type | string | yes | | pre_payment, post_payment, mixed |
| number | string | no | | as sent |
| memo | string | no | | as sent |
| effective_at | timestamp(us) | no | | Unix seconds -> naive UTC |
| refund | string | no | | the pre-2025 single refund (or the only one of `refunds[]`) |
| voided_at | timestamp(us) | no | | required when void |
| metadata | string | no | | the object as sorted compact JSON; null when absent |

Child table `billing/credit_note_lines` (one row per `lines.data[]`, in order):

| column | landed type | required | from | rule |
|---|---|---|---|---|
| credit_note | string | yes | | the credit note's `id` |
| line_index | int64 | yes | | 0-based position in `lines.data` |
| id | string | yes | | `cnli_…` |
| type | string | yes | | invoice_line_item, custom_line_item |
| invoice_line_item | string | no | | `il_…`; required for type invoice_line_item |
| quantity | int64 | no | | >= 0 |
| unit_amount | int64 | no | | minor units |
| amount | int64 | yes | | minor units |
| description | string | no | | as sent |

Child table `billing/credit_note_refunds` (one row per refund the credit note made): API
2025-03-31 replaced the single `refund` by `refunds[]` (`{refund, amount_refunded, type,
payment_record_refund}`), so one credit note can keep several refunds.

| column | landed type | required | from | rule |
|---|---|---|---|---|
| credit_note | string | yes | | the credit note's `id` |
| line_index | int64 | yes | | 0-based position in `refunds[]` |
| refund | string | no | | `re_…` (id or expanded); null for a payment record's |
| amount_refunded | int64 | no | | >= 0; null for a pre-2025 `refund` |
| type | string | no | | refund, payment_record_refund |
| payment_record_refund | string | no | `payment_record_refund.refund_group` | as sent |

A pre-2025 `refund` lands as one such row too (line_index 0,
amount_refunded null), so the table lists every refund of every layout.

Rules: `object` = "credit_note" / "list" / "credit_note_line_item" (checked, not landed);
`lines` complete (`truncated_list`); amount >= 0 (`negative_amount`), quantity >= 0
(`negative_quantity`), an invoice_line_item line names its line (`missing_invoice_line_item`),
voided_at when void (`missing_voided_at`), all business_rule. Accounting controls:
sum(line amounts) = subtotal (`subtotal_mismatch`); total = amount (`total_amount_mismatch`).

Example line:

    {"id": "cn_0001", "object": "credit_note", "created": 1791072000, "livemode": false,
     "invoice": "in_0001", "customer": "cus_0001", "currency": "usd", "amount": 1200,
     "subtotal": 1000, "total": 1200, "reason": "order_change", "status": "issued",
     "type": "post_payment", "number": "A-0001-CN-01", "memo": null,
     "effective_at": 1788220800, "refund": null, "voided_at": null,
     "lines": {"object": "list", "has_more": false, "data": [
       {"id": "cnli_0001", "object": "credit_note_line_item", "type": "invoice_line_item",
        "invoice_line_item": "il_0002", "quantity": 1, "unit_amount": 1000, "amount": 1000,
        "description": "API calls"}]}, "metadata": {}}
"""

from __future__ import annotations

from sources import table_spec
from sources.billing import _fields
from sources.billing._common import accounting_error, list_data, opt_array, stripe_object
from sources.contract import rule_error, schema_error
from sources.landing import CHILDREN

SPEC = table_spec.load("billing", "credit_notes")
LINES_SPEC = table_spec.load("billing", "credit_note_lines")
REFUNDS_SPEC = table_spec.load("billing", "credit_note_refunds")
CHILD_SPECS = (LINES_SPEC, REFUNDS_SPEC)
TABLE = SPEC.table
LINES_TABLE = LINES_SPEC.table
REFUNDS_TABLE = REFUNDS_SPEC.table
SCHEMA = table_spec.schema(SPEC)
LINES_SCHEMA = table_spec.schema(LINES_SPEC)
REFUNDS_SCHEMA = table_spec.schema(REFUNDS_SPEC)

_read = _fields.reader(SPEC)
_read_line = _fields.reader(LINES_SPEC)
_read_refund = _fields.reader(REFUNDS_SPEC)


def _refunds(rec: dict, credit_note_id: str, single: str | None) -> list[dict]:
    """Every refund of the credit note: `refunds[]` (2025-03-31), else the single `refund`."""
    items = opt_array(rec, "refunds")
    if not items:
        if single is None:
            return []
        return [
            {
                "credit_note": credit_note_id,
                "line_index": 0,
                "refund": single,
                "amount_refunded": None,
                "type": "refund",
                "payment_record_refund": None,
            }
        ]
    rows = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise schema_error("not_an_object", f"'refunds[{i}]' must be a JSON object")
        row = _read_refund(item, f"refunds[{i}].")
        rows.append({**row, "credit_note": credit_note_id, "line_index": i})
    return rows


def _line(line: object, i: int, credit_note_id: str) -> dict:
    where = f"lines.data[{i}]."
    if not isinstance(line, dict):
        raise schema_error("not_an_object", f"'lines.data[{i}]' must be a JSON object")
    stripe_object(line, "credit_note_line_item", where=where)
    row = _read_line(line, where)
    if row["type"] == "invoice_line_item" and row["invoice_line_item"] is None:
        raise rule_error(
            "missing_invoice_line_item",
            f"'{where}invoice_line_item' is null on a line of type invoice_line_item",
        )
    return {**row, "credit_note": credit_note_id, "line_index": i}


def validate(record: object) -> dict:
    """One parsed JSON value -> a row of SCHEMA (lines under CHILDREN), or raise Rejection."""
    rec = stripe_object(record, "credit_note")
    row = _read(rec)
    credit_note_id, amount, subtotal, total = (
        row[c] for c in ("id", "amount", "subtotal", "total")
    )
    lines = [_line(line, i, credit_note_id) for i, line in enumerate(list_data(rec, "lines"))]
    refunds = _refunds(rec, credit_note_id, row["refund"])
    if row["refund"] is None and len(refunds) == 1:
        row["refund"] = refunds[0]["refund"]  # one refund: the pre-2025 column still names it
    if row["voided_at"] is None and row["status"] == "void":
        raise rule_error("missing_voided_at", "'voided_at' is null on a void credit note")
    line_sum = sum(line["amount"] for line in lines)
    if line_sum != subtotal:
        raise accounting_error(
            "subtotal_mismatch",
            f"sum of {len(lines)} line amounts {line_sum} differs from 'subtotal' {subtotal}",
        )
    if total != amount:
        raise accounting_error(
            "total_amount_mismatch", f"'total' {total} differs from 'amount' {amount}"
        )
    row[CHILDREN] = {LINES_TABLE: lines, REFUNDS_TABLE: refunds}
    return row
