"""Contract for Stripe invoices (`inbox/billing/invoices*.jsonl[.gz]`, prefix `invoices`).

One Stripe `invoice` object per line with all its lines, in the pre-2025 or the 2025-03-31
("basil") API layout. Key: `id`. Landed table `billing/invoices`:

| column | landed type | required | from | rule |
|---|---|---|---|---|
| id | string | yes | | `in_…` |
| livemode | bool | no | | true or false when present |
| created | timestamp(us) | yes | | Unix seconds -> naive UTC, 2000..2100 |
| customer | string | yes | | `cus_…` (id or expanded) |
| status | string | yes | | draft, open, paid, void, uncollectible |
| billing_reason | string | no | | Stripe's enum (subscription_cycle, manual, …) |
| collection_method | string | no | | charge_automatically, send_invoice |
| currency | string | yes | | lower-case known ISO 4217, landed as sent |
| number | string | no | | as sent |
| period_start | timestamp(us) | yes | | Unix seconds -> naive UTC |
| period_end | timestamp(us) | yes | | not before period_start |
| due_date | timestamp(us) | no | | Unix seconds -> naive UTC |
| subtotal | int64 | yes | | minor units; = the sum of the line amounts |
| tax | int64 | no | | pre-2025 `tax`, as sent |
| total_taxes | int64 | no | | 2025: the sum of `total_taxes[].amount` |
| total | int64 | yes | | subtotal + tax |
| amount_due | int64 | yes | | >= 0; Stripe's arithmetic (below) |
| amount_paid | int64 | yes | | >= 0 |
| amount_remaining | int64 | yes | | >= 0 |
| starting_balance | int64 | no | | customer balance (< 0 is a credit) |
| ending_balance | int64 | no | | customer balance (< 0 is a credit) |
| pre_payment_credit_notes_amount | int64 | no | | >= 0 |
| post_payment_credit_notes_amount | int64 | no | | >= 0 |
| amount_overpaid | int64 | no | | 2025-03-31 on, >= 0: paid beyond amount_due |
| status_transitions_finalized_at | timestamp(us) | no | | required unless draft |
| status_transitions_paid_at | timestamp(us) | no | | required when paid |
| status_transitions_voided_at | timestamp(us) | no | | required when void |
| status_transitions_marked_uncollectible_at | timestamp(us) | no | | as sent |
| subscription | string | no | | pre-2025 `sub_…` |
| parent_subscription_details_subscription | string | no | | 2025: `sub_…` |
| layout | string | no | | `pre_2025` / `2025_03_31` (below); null: no lines |
| metadata | string | no | | the object as sorted compact JSON; null when absent |

Child table `billing/invoice_lines` (one row per `lines.data[]`, in order); both layouts'
fields land as nullable columns, not unified (staging unifies): the pre-2025 ones (`price…`,
`proration`, `subscription`, `subscription_item`, `type`, `tax_amount`) and the 2025-03-31
ones (`pricing…`, `parent…`, `taxes_amount`):

| column | landed type | required | from | rule |
|---|---|---|---|---|
| invoice | string | yes | | the invoice's `id` |
| line_index | int64 | yes | | 0-based position in `lines.data` |
| id | string | yes | | `il_…` (the older `ii_…`/`sli_…` pass) |
| layout | string | yes | | the line's layout (below) |
| amount | int64 | yes | | minor units (may be negative) |
| currency | string | yes | | the invoice's currency |
| description | string | no | | as sent |
| quantity | int64 | no | | >= 0 |
| period_start | timestamp(us) | yes | | Unix seconds -> naive UTC |
| period_end | timestamp(us) | yes | | not before period_start |
| price_id | string | no | | pre-2025; the unexpanded `price` itself |
| price_product | string | no | | pre-2025 |
| price_unit_amount | int64 | no | | pre-2025, >= 0 |
| price_unit_amount_decimal | decimal128(38,12) | no | | pre-2025, >= 0 |
| price_billing_scheme | string | no | | pre-2025 |
| price_tiers_mode | string | no | | pre-2025 |
| proration | bool | no | | pre-2025, required there |
| subscription | string | no | | pre-2025 |
| subscription_item | string | no | | pre-2025 |
| type | string | no | | pre-2025, required there |
| tax_amount | int64 | no | `tax_amounts` | pre-2025: the sum of `tax_amounts` |
| pricing_price_details_price | string | no | | 2025 |
| pricing_price_details_product | string | no | | 2025 |
| pricing_unit_amount_decimal | decimal128(38,12) | no | | 2025, >= 0 |
| parent_type | string | no | | 2025 |
| parent_subscription_item_details_subscription | string | no | | 2025 |
| parent_subscription_item_details_subscription_item | string | no | | 2025 |
| parent_subscription_item_details_proration | bool | no | | 2025 |
| parent_invoice_item_details_invoice_item | string | no | | 2025 |
| parent_invoice_item_details_proration | bool | no | | 2025 |
| parent_invoice_item_details_subscription | string | no | | 2025 |
| taxes_amount | int64 | no | `taxes` | 2025: the sum of `taxes` |

Layout of the invoice: pre-2025 when it has `subscription` or `tax`, 2025-03-31 when it
has `parent` or `total_taxes`, else the layout of its lines.
Layout of a line: pre-2025 when it has any of `price`, `proration`, `subscription_item`,
`tax_amounts`; 2025-03-31 when it has any of `pricing`, `parent`, `taxes`. A key whose value is
`null` does not count: serializers (Stripe's own fixtures, sync tools) keep deprecated keys as
`null` in the new layout. Keys the contract does not read never reject an invoice. Both or neither
rejects the whole invoice (`line_in_both_layouts`, `line_in_no_layout`, schema); so does an
invoice header in both layouts (`invoice_in_both_layouts`) or lines whose layout differs
from the header's or each other's (`mixed_layouts`). `lines` must be complete
(`truncated_list` when has_more).

Rules, in this order: every line's currency = invoice currency (`line_currency_mismatch`,
business_rule); periods in order (`period_end_before_start`); finalized_at present unless draft
(`missing_finalized_at`), paid_at when paid (`missing_paid_at`), voided_at when void
(`missing_voided_at`); amount_due/paid/remaining, the credit note amounts and amount_overpaid
>= 0 (`negative_amount`), all business_rule.
Accounting controls: sum(line amounts) = subtotal (`subtotal_mismatch`); subtotal + tax = total
with tax = `tax` or the `total_taxes` sum or 0 (`total_mismatch`); amount_due = total
- pre_payment_credit_notes_amount + (starting_balance - ending_balance) (`amount_due_mismatch`):
Stripe applies the customer's balance when it finalizes the invoice (a credit lowers
amount_due, a debt raises it, a total below the minimum charge moves to the balance) and a
pre-payment credit note lowers what is due (https://docs.stripe.com/invoicing/customer/balance,
https://docs.stripe.com/invoicing/dashboard/credit-notes); the balance term is 0 until
ending_balance exists, absent credit notes count 0. amount_paid - amount_overpaid +
amount_remaining = amount_due (`amount_remaining_mismatch`).

Example line (pre-2025, shortened):

    {"id": "in_0001", "object": "invoice", "created": 1788228000, "livemode": false,
     "customer": "cus_0001", "status": "paid", "billing_reason": "subscription_cycle",
     "collection_method": "charge_automatically", "currency": "usd", "number": "A-0001",
     "period_start": 1785542400, "period_end": 1788220800, "due_date": null,
     "subtotal": 50000, "tax": 0, "total": 50000, "amount_due": 50000, "amount_paid": 50000,
     "amount_remaining": 0, "subscription": "sub_0001",
     "status_transitions": {"finalized_at": 1788228000, "paid_at": 1788231600,
                            "voided_at": null},
     "lines": {"object": "list", "has_more": false, "data": [
       {"id": "il_0001", "object": "line_item", "amount": 50000, "currency": "usd",
        "description": "Platform fee", "quantity": 1,
        "period": {"start": 1785542400, "end": 1788220800},
        "price": {"id": "price_fee", "product": "prod_platform", "unit_amount": 50000,
                  "unit_amount_decimal": "50000", "billing_scheme": "per_unit",
                  "tiers_mode": null}, "proration": false, "subscription": "sub_0001",
        "subscription_item": "si_0001", "type": "subscription", "tax_amounts": []}]},
     "metadata": {}}
"""

from __future__ import annotations

from sources import table_spec
from sources.billing import _fields
from sources.billing._common import (
    LAYOUT_2025,
    LAYOUT_PRE_2025,
    accounting_error,
    list_data,
    opt_enum,
    opt_obj,
    opt_ref,
    period_order,
    req_obj,
    stripe_object,
)
from sources.billing.prices import check_unit_amounts
from sources.contract import rule_error, schema_error
from sources.landing import CHILDREN

INVOICE_PARENT_TYPES = frozenset({"subscription_details", "quote_details"})

# Keys that only one layout has (a null value counts as absent).
_PRE_LINE_KEYS = ("price", "proration", "subscription_item", "tax_amounts")
_NEW_LINE_KEYS = ("pricing", "parent", "taxes")
_PRE_INVOICE_KEYS = ("subscription", "tax")
_NEW_INVOICE_KEYS = ("parent", "total_taxes")

# Columns come from the specs; a line's fields are read by group (the rule's `group`): its API
# layout's, the expanded price's, the parent type's details.
SPEC = table_spec.load("billing", "invoices")
LINES_SPEC = table_spec.load("billing", "invoice_lines")
CHILD_SPECS = (LINES_SPEC,)
TABLE = SPEC.table
LINES_TABLE = LINES_SPEC.table
SCHEMA = table_spec.schema(SPEC)
LINES_SCHEMA = table_spec.schema(LINES_SPEC)


def _layout(record: dict, pre_keys: tuple[str, ...], new_keys: tuple[str, ...]) -> str | None:
    pre = any(record.get(key) is not None for key in pre_keys)
    new = any(record.get(key) is not None for key in new_keys)
    if pre and new:
        return "both"
    return LAYOUT_PRE_2025 if pre else LAYOUT_2025 if new else None


_read_line = _fields.reader(LINES_SPEC)
_read_pre = _fields.reader(LINES_SPEC, group=LAYOUT_PRE_2025)
_read_price = _fields.reader(LINES_SPEC, group="pre_2025_price")
_read_2025 = _fields.reader(LINES_SPEC, group=LAYOUT_2025)
_read_parent = {
    kind: _fields.reader(LINES_SPEC, group=kind)
    for kind in ("subscription_item_details", "invoice_item_details")
}


def _pre_2025_fields(line: dict, where: str) -> dict:
    fields = _read_pre(line, where)
    price = line.get("price")
    if isinstance(price, str):  # the price not expanded: its id alone
        fields["price_id"] = opt_ref(line, "price", "price_", where=where)
    elif price is not None:
        opt_obj(line, "price", where=where)  # an object, or wrong_type
        fields.update(_read_price(line, where))
        check_unit_amounts(
            fields, "price_unit_amount", "price_unit_amount_decimal", where + "price."
        )
    return fields


def _2025_fields(line: dict, where: str) -> dict:
    pricing = opt_obj(line, "pricing", where=where)
    if pricing is not None:  # the pricing's type is checked, not landed
        pw = where + "pricing."
        opt_enum(pricing, "type", {"price_details"}, where=pw, code="unknown_pricing_type")
    fields = _read_2025(line, where)
    parent_type = fields["parent_type"]
    if parent_type is not None:
        req_obj(req_obj(line, "parent", where=where), parent_type, where=where + "parent.")
        fields.update(_read_parent[parent_type](line, where))
    return fields


def _line(line: object, i: int, invoice_id: str, currency: str) -> dict:
    where = f"lines.data[{i}]."
    if not isinstance(line, dict):
        raise schema_error("not_an_object", f"'lines.data[{i}]' must be a JSON object")
    stripe_object(line, "line_item", where=where)
    layout = _layout(line, _PRE_LINE_KEYS, _NEW_LINE_KEYS)
    if layout == "both":
        raise schema_error(
            "line_in_both_layouts",
            f"'lines.data[{i}]' has fields of both the pre-2025 layout ({_PRE_LINE_KEYS}) "
            f"and the 2025-03-31 layout ({_NEW_LINE_KEYS})",
        )
    if layout is None:
        raise schema_error(
            "line_in_no_layout",
            f"'lines.data[{i}]' has none of the pre-2025 fields {_PRE_LINE_KEYS} "
            f"nor the 2025-03-31 fields {_NEW_LINE_KEYS}",
        )
    row = _read_line(line, where)
    if row["currency"] != currency:
        raise rule_error(
            "line_currency_mismatch",
            f"'{where}currency' {row['currency']!r} differs from the invoice's {currency!r}",
        )
    period_order(row["period_start"], row["period_end"], where + "period")
    row.update(invoice=invoice_id, line_index=i, layout=layout)
    if layout == LAYOUT_PRE_2025:
        row.update(_pre_2025_fields(line, where))
    else:
        row.update(_2025_fields(line, where))
    return row


def amount_due_expected(
    total: int, pre_payment_credits: int | None, starting: int | None, ending: int | None
) -> tuple[int, str]:
    """What Stripe's arithmetic makes amount_due, and how (for the message): the total, less
    pre-payment credit notes, plus the customer balance the invoice applied (starting - ending;
    a credit balance is negative) once finalized."""
    expected, how = total, f"'total' {total}"
    if pre_payment_credits:
        expected -= pre_payment_credits
        how += f" - 'pre_payment_credit_notes_amount' {pre_payment_credits}"
    if ending is not None and starting is not None and starting != ending:
        expected += starting - ending
        how += f" + ('starting_balance' {starting} - 'ending_balance' {ending})"
    return expected, (how + f" = {expected}" if how != f"'total' {total}" else how)


_read = _fields.reader(SPEC, ranges=False)
_check_ranges = _fields.range_checker(SPEC)


def validate(record: object) -> dict:
    """One parsed JSON value -> a row of SCHEMA (lines under CHILDREN), or raise Rejection."""
    rec = stripe_object(record, "invoice")
    row = _read(rec)
    header_layout = _layout(rec, _PRE_INVOICE_KEYS, _NEW_INVOICE_KEYS)
    if header_layout == "both":
        raise schema_error(
            "invoice_in_both_layouts",
            f"the invoice has fields of both the pre-2025 layout {_PRE_INVOICE_KEYS} "
            f"and the 2025-03-31 layout {_NEW_INVOICE_KEYS}",
        )
    parent = opt_obj(rec, "parent")
    if parent is not None:  # the parent's type is checked, not landed
        opt_enum(parent, "type", INVOICE_PARENT_TYPES, where="parent.", code="unknown_parent_type")
    row["layout"] = header_layout
    invoice_id, currency, status = row["id"], row["currency"], row["status"]
    subtotal, total, amount_due, amount_paid, amount_remaining = (
        row[c] for c in ("subtotal", "total", "amount_due", "amount_paid", "amount_remaining")
    )
    pre_payment_credits = row["pre_payment_credit_notes_amount"]
    overpaid, tax, total_taxes = row["amount_overpaid"], row["tax"], row["total_taxes"]
    lines = [_line(line, i, invoice_id, currency) for i, line in enumerate(list_data(rec, "lines"))]
    layouts = {line["layout"] for line in lines}
    if header_layout is not None:
        layouts.add(header_layout)
    if len(layouts) > 1:
        raise schema_error(
            "mixed_layouts",
            f"the invoice mixes API layouts (header {header_layout}, lines "
            f"{sorted({line['layout'] for line in lines})}): one invoice comes from one version",
        )
    if header_layout is None and lines:
        row["layout"] = lines[0]["layout"]

    period_order(row["period_start"], row["period_end"], "period")
    if row["status_transitions_finalized_at"] is None and status != "draft":
        raise rule_error(
            "missing_finalized_at",
            f"'status_transitions.finalized_at' is null but the invoice is {status}",
        )
    if row["status_transitions_paid_at"] is None and status == "paid":
        raise rule_error(
            "missing_paid_at", "'status_transitions.paid_at' is null on a paid invoice"
        )
    if row["status_transitions_voided_at"] is None and status == "void":
        raise rule_error(
            "missing_voided_at", "'status_transitions.voided_at' is null on a void invoice"
        )
    _check_ranges(row)

    line_sum = sum(line["amount"] for line in lines)
    if line_sum != subtotal:
        raise accounting_error(
            "subtotal_mismatch",
            f"sum of {len(lines)} line amounts {line_sum} differs from 'subtotal' {subtotal}",
        )
    tax_total = tax if tax is not None else total_taxes or 0
    if subtotal + tax_total != total:
        raise accounting_error(
            "total_mismatch",
            f"'subtotal' {subtotal} + tax {tax_total} = {subtotal + tax_total} "
            f"differs from 'total' {total}",
        )
    expected_due, how = amount_due_expected(
        total, pre_payment_credits, row["starting_balance"], row["ending_balance"]
    )
    if amount_due != expected_due:
        raise accounting_error(
            "amount_due_mismatch", f"'amount_due' {amount_due} differs from {how}"
        )
    paid_toward_due = amount_paid - (overpaid or 0)
    if paid_toward_due + amount_remaining != amount_due:
        overpaid_text = f" - 'amount_overpaid' {overpaid}" if overpaid else ""
        raise accounting_error(
            "amount_remaining_mismatch",
            f"'amount_paid' {amount_paid}{overpaid_text} + 'amount_remaining' "
            f"{amount_remaining} differs from 'amount_due' {amount_due}",
        )
    row[CHILDREN] = {LINES_TABLE: lines}
    return row
