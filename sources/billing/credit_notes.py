"""Contract for Stripe credit notes (`inbox/billing/credit_notes*.jsonl[.gz]`,
prefix `credit_notes`).

One Stripe `credit_note` object per line with all its lines. Key: `id`.
Landed table `billing/credit_notes`:

| column | type | from / rule |
|---|---|---|
| id | string | required, `cn_…` |
| livemode | bool | nullable; must be a boolean when present |
| created | timestamp(us) | required Unix seconds -> naive UTC, 2000..2100 |
| invoice | string | required, `in_…` |
| customer | string | required, `cus_…` |
| currency | string | required, lower-case known ISO 4217, landed as sent |
| amount, subtotal, total | int64 | required, minor units; amount >= 0 |
| reason | string | nullable: duplicate, fraudulent, order_change, product_unsatisfactory |
| status | string | required: issued, void |
| type | string | required: pre_payment, post_payment, mixed |
| number | string | nullable |
| memo | string | nullable |
| effective_at | timestamp(us) | nullable |
| refund | string | nullable, `re_…`: the pre-2025 single `refund` (see `refunds[]` below) |
| voided_at | timestamp(us) | nullable; required when void |
| metadata | string | the whole metadata object as sorted compact JSON; null when absent |

Child table `billing/credit_note_lines` (one row per `lines.data[]`, in order):
credit_note string (parent id), line_index int64 (0-based), id string (`cnli_…`),
type string (`invoice_line_item`|`custom_line_item`), invoice_line_item string (`il_…`,
required for type invoice_line_item), quantity int64 (nullable, >= 0), unit_amount int64
(nullable), amount int64, description string (nullable).

Child table `billing/credit_note_refunds` (one row per refund the credit note made): API
2025-03-31 replaced the single `refund` by `refunds[]` (`{refund, amount_refunded, type,
payment_record_refund}`), so one credit note can keep several refunds. Columns: credit_note
string (parent id), line_index int64 (0-based), refund string (`re_…`, id or expanded;
null for a refund of a payment record), amount_refunded int64 (>= 0), type string (nullable:
`refund`, `payment_record_refund`), payment_record_refund string (`payment_record_refund.
refund_group`, nullable). A pre-2025 `refund` lands as one such row too (line_index 0,
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

import pyarrow as pa

from sources.billing._common import (
    accounting_error,
    list_data,
    metadata,
    non_negative,
    opt_amount,
    opt_array,
    opt_bool,
    opt_enum,
    opt_id,
    opt_int,
    opt_obj,
    opt_ref,
    opt_str,
    opt_ts,
    req_amount,
    req_currency,
    req_enum,
    req_id,
    req_ref,
    req_ts,
    stripe_object,
)
from sources.contract import TIMESTAMP, rule_error, schema_error
from sources.landing import CHILDREN

TABLE = "credit_notes"
LINES_TABLE = "credit_note_lines"
REFUNDS_TABLE = "credit_note_refunds"

REASONS = frozenset({"duplicate", "fraudulent", "order_change", "product_unsatisfactory"})
STATUSES = frozenset({"issued", "void"})
TYPES = frozenset({"pre_payment", "post_payment", "mixed"})
LINE_TYPES = frozenset({"invoice_line_item", "custom_line_item"})
REFUND_TYPES = frozenset({"refund", "payment_record_refund"})

SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("livemode", pa.bool_()),
        pa.field("created", TIMESTAMP, nullable=False),
        pa.field("invoice", pa.string(), nullable=False),
        pa.field("customer", pa.string(), nullable=False),
        pa.field("currency", pa.string(), nullable=False),
        pa.field("amount", pa.int64(), nullable=False),
        pa.field("subtotal", pa.int64(), nullable=False),
        pa.field("total", pa.int64(), nullable=False),
        pa.field("reason", pa.string()),
        pa.field("status", pa.string(), nullable=False),
        pa.field("type", pa.string(), nullable=False),
        pa.field("number", pa.string()),
        pa.field("memo", pa.string()),
        pa.field("effective_at", TIMESTAMP),
        pa.field("refund", pa.string()),
        pa.field("voided_at", TIMESTAMP),
        pa.field("metadata", pa.string()),
    ]
)

LINES_SCHEMA = pa.schema(
    [
        pa.field("credit_note", pa.string(), nullable=False),
        pa.field("line_index", pa.int64(), nullable=False),
        pa.field("id", pa.string(), nullable=False),
        pa.field("type", pa.string(), nullable=False),
        pa.field("invoice_line_item", pa.string()),
        pa.field("quantity", pa.int64()),
        pa.field("unit_amount", pa.int64()),
        pa.field("amount", pa.int64(), nullable=False),
        pa.field("description", pa.string()),
    ]
)

REFUNDS_SCHEMA = pa.schema(
    [
        pa.field("credit_note", pa.string(), nullable=False),
        pa.field("line_index", pa.int64(), nullable=False),
        pa.field("refund", pa.string()),
        pa.field("amount_refunded", pa.int64()),
        pa.field("type", pa.string()),
        pa.field("payment_record_refund", pa.string()),
    ]
)


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
        where = f"refunds[{i}]."
        if not isinstance(item, dict):
            raise schema_error("not_an_object", f"'refunds[{i}]' must be a JSON object")
        amount = opt_amount(item, "amount_refunded", where=where)
        non_negative(amount, where + "amount_refunded")
        record_refund = opt_obj(item, "payment_record_refund", where=where) or {}
        rows.append(
            {
                "credit_note": credit_note_id,
                "line_index": i,
                "refund": opt_ref(item, "refund", "re_", where=where),
                "amount_refunded": amount,
                "type": opt_enum(
                    item, "type", REFUND_TYPES, where=where, code="unknown_refund_type"
                ),
                "payment_record_refund": opt_str(
                    record_refund, "refund_group", where=where + "payment_record_refund."
                ),
            }
        )
    return rows


def _line(line: object, i: int, credit_note_id: str) -> dict:
    where = f"lines.data[{i}]."
    if not isinstance(line, dict):
        raise schema_error("not_an_object", f"'lines.data[{i}]' must be a JSON object")
    stripe_object(line, "credit_note_line_item", where=where)
    line_type = req_enum(line, "type", LINE_TYPES, where=where, code="unknown_line_type")
    invoice_line_item = opt_id(line, "invoice_line_item", ("il_", "ii_", "sli_"), where=where)
    if line_type == "invoice_line_item" and invoice_line_item is None:
        raise rule_error(
            "missing_invoice_line_item",
            f"'{where}invoice_line_item' is null on a line of type invoice_line_item",
        )
    quantity = opt_int(line, "quantity", where=where)
    non_negative(quantity, where + "quantity", "negative_quantity")
    return {
        "credit_note": credit_note_id,
        "line_index": i,
        "id": req_id(line, "id", "cnli_", where=where),
        "type": line_type,
        "invoice_line_item": invoice_line_item,
        "quantity": quantity,
        "unit_amount": opt_amount(line, "unit_amount", where=where),
        "amount": req_amount(line, "amount", where=where),
        "description": opt_str(line, "description", where=where),
    }


def validate(record: object) -> dict:
    """One parsed JSON value -> a row of SCHEMA (lines under CHILDREN), or raise Rejection."""
    rec = stripe_object(record, "credit_note")
    credit_note_id = req_id(rec, "id", "cn_")
    amount = req_amount(rec, "amount")
    subtotal = req_amount(rec, "subtotal")
    total = req_amount(rec, "total")
    status = req_enum(rec, "status", STATUSES)
    voided_at = opt_ts(rec, "voided_at")
    row = {
        "id": credit_note_id,
        "livemode": opt_bool(rec, "livemode"),
        "created": req_ts(rec, "created"),
        "invoice": req_ref(rec, "invoice", "in_"),
        "customer": req_ref(rec, "customer", "cus_"),
        "currency": req_currency(rec),
        "amount": amount,
        "subtotal": subtotal,
        "total": total,
        "reason": opt_enum(rec, "reason", REASONS),
        "status": status,
        "type": req_enum(rec, "type", TYPES),
        "number": opt_str(rec, "number"),
        "memo": opt_str(rec, "memo"),
        "effective_at": opt_ts(rec, "effective_at"),
        "refund": opt_ref(rec, "refund", "re_"),
        "voided_at": voided_at,
        **metadata(rec),
    }
    lines = [_line(line, i, credit_note_id) for i, line in enumerate(list_data(rec, "lines"))]
    refunds = _refunds(rec, credit_note_id, row["refund"])
    if row["refund"] is None and len(refunds) == 1:
        row["refund"] = refunds[0]["refund"]  # one refund: the pre-2025 column still names it
    non_negative(amount, "amount")
    if voided_at is None and status == "void":
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
