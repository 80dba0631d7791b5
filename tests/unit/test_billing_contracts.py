"""Billing (Stripe) landing contracts: valid objects land typed, bad ones land in quarantine."""

from __future__ import annotations

import calendar
import copy
import json
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from sources.billing import CONTRACTS
from sources.billing import invoices as invoices_module
from sources.landing import LINEAGE_FIELDS, land_file

BY_TABLE = {c.table: c for c in CONTRACTS}
DELETE = object()


def ts(*parts: int) -> int:
    return calendar.timegm(datetime(*parts).timetuple())


AUG, SEP, OCT = ts(2026, 8, 1), ts(2026, 9, 1), ts(2026, 10, 1)
SEP_FINALIZED = ts(2026, 9, 1, 2)
SEP_15 = ts(2026, 9, 15)


# --- sample objects in the shape of the spec ------------------------------------------------


def customer() -> dict:
    return {
        "id": "cus_0001",
        "object": "customer",
        "created": AUG,
        "livemode": False,
        "name": "Acme Ltd",
        "email": "ap@acme.example",
        "currency": "gbp",
        "address": {"country": "GB"},
        "metadata": {"netsuite_customer_id": "101", "crm_account_id": "ACC-0001"},
    }


def product() -> dict:
    return {
        "id": "prod_platform",
        "object": "product",
        "created": AUG,
        "livemode": False,
        "name": "Platform fee",
        "active": True,
        "unit_label": None,
        "metadata": {"sku": "SKU-PLATFORM", "metric": "", "gl_revenue_account": "4000"},
    }


def tiered_price() -> dict:
    return {
        "id": "price_api_growth",
        "object": "price",
        "created": AUG,
        "livemode": False,
        "product": "prod_api_calls",
        "currency": "gbp",
        "active": True,
        "billing_scheme": "tiered",
        "tiers_mode": "graduated",
        "unit_amount": None,
        "unit_amount_decimal": None,
        "tiers": [
            {"up_to": 1000, "unit_amount": 0, "unit_amount_decimal": "0", "flat_amount": None},
            {"up_to": 5000, "unit_amount": 5, "unit_amount_decimal": "5", "flat_amount": 100},
            {
                "up_to": None,
                "unit_amount": None,
                "unit_amount_decimal": "2.5",
                "flat_amount": None,
            },
        ],
        "recurring": {"interval": "month", "interval_count": 1, "usage_type": "metered"},
        "transform_quantity": {"divide_by": 1000, "round": "up"},
        "metadata": {},
    }


def per_unit_price() -> dict:
    return {
        "id": "price_fee_growth",
        "object": "price",
        "created": AUG,
        "livemode": False,
        "product": "prod_platform",
        "currency": "gbp",
        "active": True,
        "billing_scheme": "per_unit",
        "tiers_mode": None,
        "unit_amount": 50000,
        "unit_amount_decimal": "50000",
        "tiers": None,
        "recurring": {"interval": "month", "interval_count": 1, "usage_type": "licensed"},
        "transform_quantity": None,
        "metadata": {},
    }


def subscription(layout: str = "pre_2025") -> dict:
    item = {
        "id": "si_0001",
        "object": "subscription_item",
        "price": per_unit_price(),
        "quantity": 1,
    }
    sub = {
        "id": "sub_0001",
        "object": "subscription",
        "created": AUG,
        "livemode": False,
        "customer": "cus_0001",
        "status": "active",
        "currency": "gbp",
        "start_date": AUG,
        "billing_cycle_anchor": AUG,
        "cancel_at": None,
        "canceled_at": None,
        "items": {"object": "list", "has_more": False, "data": [item]},
        "metadata": {"crm_contract_id": "CTR-0001", "contract_version": "2"},
    }
    period = {"current_period_start": SEP, "current_period_end": OCT}
    (sub if layout == "pre_2025" else item).update(period)
    return sub


def pre_2025_line(n: int, amount: int, **extra: object) -> dict:
    line = {
        "id": f"il_{n:04d}",
        "object": "line_item",
        "amount": amount,
        "currency": "gbp",
        "description": f"line {n}",
        "quantity": 1,
        "period": {"start": AUG, "end": SEP},
        "price": {
            "id": "price_fee_growth",
            "product": "prod_platform",
            "unit_amount": 50000,
            "unit_amount_decimal": "50000",
            "billing_scheme": "per_unit",
            "tiers_mode": None,
            "recurring": {"interval": "month", "interval_count": 1, "usage_type": "licensed"},
        },
        "proration": False,
        "proration_details": {"credited_items": None},
        "subscription": "sub_0001",
        "subscription_item": "si_0001",
        "type": "subscription",
        "discount_amounts": [],
        "tax_amounts": [{"amount": amount // 5}],
        "metadata": {},
    }
    line.update(extra)
    return line


def invoice_pre_2025() -> dict:
    """UK invoice, GBP, 20% VAT: fee, a tiered usage line, a proration credit and charge."""
    usage = pre_2025_line(2, 12345, quantity=250, description="API calls")
    usage["price"] = {
        "id": "price_api_growth",
        "product": "prod_api_calls",
        "unit_amount": None,
        "unit_amount_decimal": None,
        "billing_scheme": "tiered",
        "tiers_mode": "graduated",
        "recurring": {"interval": "month", "interval_count": 1, "usage_type": "metered"},
    }
    credit = pre_2025_line(
        3, -5000, proration=True, period={"start": SEP_15 - 86400 * 31, "end": SEP}
    )
    charge = pre_2025_line(
        4, 7000, proration=True, period={"start": SEP_15 - 86400 * 31, "end": SEP}
    )
    lines = [pre_2025_line(1, 50000, description="Platform fee"), usage, credit, charge]
    subtotal = 50000 + 12345 - 5000 + 7000
    return {
        "id": "in_0001",
        "object": "invoice",
        "created": SEP_FINALIZED,
        "livemode": False,
        "customer": "cus_0001",
        "status": "paid",
        "billing_reason": "subscription_cycle",
        "collection_method": "charge_automatically",
        "currency": "gbp",
        "number": "UK-0001",
        "period_start": AUG,
        "period_end": SEP,
        "due_date": None,
        "subtotal": subtotal,
        "tax": 12869,
        "total": subtotal + 12869,
        "amount_due": subtotal + 12869,
        "amount_paid": subtotal + 12869,
        "amount_remaining": 0,
        "subscription": "sub_0001",
        "status_transitions": {
            "finalized_at": SEP_FINALIZED,
            "paid_at": SEP_FINALIZED + 3600,
            "voided_at": None,
        },
        "lines": {"object": "list", "has_more": False, "data": lines},
        "metadata": {"crm_contract_id": "CTR-0001"},
    }


def line_2025(n: int, amount: int, parent: dict | None = None, **extra: object) -> dict:
    line = {
        "id": f"il_2025_{n:04d}",
        "object": "line_item",
        "amount": amount,
        "currency": "jpy",
        "description": f"line {n}",
        "quantity": 3,
        "period": {"start": AUG, "end": SEP},
        "pricing": {
            "type": "price_details",
            "price_details": {"price": "price_api_jp", "product": "prod_api_calls"},
            "unit_amount_decimal": "1000.5",
        },
        "parent": parent
        or {
            "type": "subscription_item_details",
            "subscription_item_details": {
                "subscription": "sub_0002",
                "subscription_item": "si_0002",
                "proration": False,
                "proration_details": {"credited_items": None},
                "invoice_item": None,
            },
            "invoice_item_details": None,
        },
        "discount_amounts": [],
        "taxes": [{"amount": amount // 10}],
        "metadata": {},
    }
    line.update(extra)
    return line


def invoice_2025() -> dict:
    """JP invoice, JPY (zero-decimal), 10% tax, 2025-03-31 layout, still open."""
    one_off = {
        "type": "invoice_item_details",
        "invoice_item_details": {
            "invoice_item": "ii_0001",
            "proration": False,
            "proration_details": {"credited_items": None},
            "subscription": "sub_0002",
        },
        "subscription_item_details": None,
    }
    lines = [line_2025(1, 50000), line_2025(2, 3000), line_2025(3, 2000, parent=one_off)]
    return {
        "id": "in_0002",
        "object": "invoice",
        "created": SEP_FINALIZED,
        "livemode": False,
        "customer": "cus_0002",
        "status": "open",
        "billing_reason": "subscription_cycle",
        "collection_method": "send_invoice",
        "currency": "jpy",
        "number": "JP-0001",
        "period_start": AUG,
        "period_end": SEP,
        "due_date": SEP_FINALIZED + 30 * 86400,
        "subtotal": 55000,
        "total_taxes": [{"amount": 5500, "tax_behavior": "exclusive"}],
        "total": 60500,
        "amount_due": 60500,
        "amount_paid": 0,
        "amount_remaining": 60500,
        "parent": {
            "type": "subscription_details",
            "subscription_details": {"subscription": "sub_0002", "metadata": {}},
            "quote_details": None,
        },
        "status_transitions": {"finalized_at": SEP_FINALIZED, "paid_at": None, "voided_at": None},
        "lines": {"object": "list", "has_more": False, "data": lines},
        "metadata": {},
    }


def credit_note() -> dict:
    return {
        "id": "cn_0001",
        "object": "credit_note",
        "created": OCT,
        "livemode": False,
        "invoice": "in_0001",
        "customer": "cus_0001",
        "currency": "gbp",
        "amount": 1200,
        "subtotal": 1000,
        "total": 1200,
        "reason": "order_change",
        "status": "issued",
        "type": "post_payment",
        "number": "UK-0001-CN-01",
        "memo": None,
        "effective_at": SEP_15,
        "refund": "re_0001",
        "voided_at": None,
        "lines": {
            "object": "list",
            "has_more": False,
            "data": [
                {
                    "id": "cnli_0001",
                    "object": "credit_note_line_item",
                    "type": "invoice_line_item",
                    "invoice_line_item": "il_0002",
                    "quantity": 2,
                    "unit_amount": 300,
                    "amount": 600,
                    "description": "API calls",
                },
                {
                    "id": "cnli_0002",
                    "object": "credit_note_line_item",
                    "type": "custom_line_item",
                    "invoice_line_item": None,
                    "quantity": None,
                    "unit_amount": None,
                    "amount": 400,
                    "description": "Goodwill",
                },
            ],
        },
        "metadata": {},
    }


def charge() -> dict:
    return {
        "id": "ch_0001",
        "object": "charge",
        "created": SEP_FINALIZED + 3600,
        "livemode": False,
        "amount": 77214,
        "amount_captured": 77214,
        "amount_refunded": 1200,
        "currency": "gbp",
        "customer": "cus_0001",
        "invoice": "in_0001",
        "payment_intent": "pi_0001",
        "balance_transaction": "txn_0001",
        "status": "succeeded",
        "paid": True,
        "refunded": False,
        "disputed": False,
        "metadata": {},
    }


def refund() -> dict:
    return {
        "id": "re_0001",
        "object": "refund",
        "created": OCT,
        "amount": 1200,
        "currency": "gbp",
        "charge": "ch_0001",
        "balance_transaction": "txn_0002",
        "status": "succeeded",
        "reason": None,
        "metadata": {},
    }


def invoice_payment() -> dict:
    """API 2025-03-31: the invoice payment links in_0001 to the PaymentIntent that paid it."""
    return {
        "id": "inpay_0001",
        "object": "invoice_payment",
        "created": SEP_FINALIZED + 3600,
        "livemode": False,
        "invoice": "in_0001",
        "currency": "gbp",
        "amount_requested": 77214,
        "amount_paid": 77214,
        "is_default": True,
        "status": "paid",
        "payment": {"type": "payment_intent", "payment_intent": "pi_0001"},
        "status_transitions": {"paid_at": SEP_FINALIZED + 3600, "canceled_at": None},
    }


def balance_transaction() -> dict:
    return {
        "id": "txn_0001",
        "object": "balance_transaction",
        "created": SEP_FINALIZED + 3600,
        "amount": 77214,
        "fee": 1179,
        "net": 76035,
        "currency": "gbp",
        "exchange_rate": None,
        "available_on": SEP_15,
        "reporting_category": "charge",
        "source": "ch_0001",
        "status": "available",
        "type": "charge",
    }


# --- helpers ----------------------------------------------------------------------------------


def land(tmp_path: Path, table: str, records: list[object]) -> Path:
    """Write records (dicts as JSON, strings as they are) to an inbox file and land it."""
    inbox = tmp_path / "inbox"
    inbox.mkdir(exist_ok=True)
    path = inbox / f"{table}_{len(list(inbox.iterdir()))}.jsonl"
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records))
    lake = tmp_path / "lake"
    result = land_file(path, BY_TABLE[table], lake)
    assert result.rows_read == len(records)
    return lake


def read(lake: Path, area: str, table: str) -> list[dict]:
    files = sorted((lake / area / "billing" / table).rglob("*.parquet"))
    return [row for p in files for row in pq.read_table(p).to_pylist()]


def read_schema(lake: Path, table: str):
    (path,) = (lake / "raw" / "billing" / table).rglob("*.parquet")
    return pq.read_schema(path)


def typed(rows: list[dict]) -> list[dict]:
    """Rows without the lineage and payload columns landing adds."""
    lineage = {f.name for f in LINEAGE_FIELDS} | {"payload"}
    return [{k: v for k, v in row.items() if k not in lineage} for row in rows]


def dt(*parts: int) -> datetime:
    return datetime(*parts)


# --- valid objects ------------------------------------------------------------------------------


def test_one_contract_per_stripe_object_type_with_its_children():
    assert [(c.system, c.table, c.prefix) for c in CONTRACTS] == [
        ("billing", t, t)
        for t in [
            "customers",
            "products",
            "prices",
            "subscriptions",
            "invoices",
            "credit_notes",
            "invoice_payments",
            "charges",
            "refunds",
            "balance_transactions",
        ]
    ]
    children = {c.table: sorted(c.children) for c in CONTRACTS if c.children}
    assert children == {
        "prices": ["price_tiers"],
        "subscriptions": ["subscription_items"],
        "invoices": ["invoice_lines"],
        "credit_notes": ["credit_note_lines", "credit_note_refunds"],
    }
    lineage = {f.name for f in LINEAGE_FIELDS}
    for c in CONTRACTS:
        for schema in [c.schema, *c.children.values()]:
            assert not lineage & set(schema.names), c.table
    assert BY_TABLE["invoices"].matches(Path("invoices_2026-09.jsonl.gz"))
    assert not BY_TABLE["invoices"].matches(Path("invoice_lines.jsonl"))
    assert not BY_TABLE["invoices"].matches(Path("invoice_payments.jsonl"))


def test_customer_lands_typed_with_metadata_columns(tmp_path: Path):
    lake = land(tmp_path, "customers", [customer()])
    assert typed(read(lake, "raw", "customers")) == [
        {
            "id": "cus_0001",
            "livemode": False,
            "created": dt(2026, 8, 1),
            "name": "Acme Ltd",
            "email": "ap@acme.example",
            "currency": "gbp",
            "address_country": "GB",
            "metadata_crm_account_id": "ACC-0001",
            "metadata_netsuite_customer_id": "101",
            "metadata": '{"crm_account_id":"ACC-0001","netsuite_customer_id":"101"}',
        }
    ]
    assert read_schema(lake, "customers").field("created").type == "timestamp[us]"


def test_product_lands_with_empty_metric_as_sent(tmp_path: Path):
    lake = land(tmp_path, "products", [product()])
    (row,) = read(lake, "raw", "products")
    assert (row["id"], row["active"], row["unit_label"]) == ("prod_platform", True, None)
    assert (row["metadata_sku"], row["metadata_metric"], row["metadata_gl_revenue_account"]) == (
        "SKU-PLATFORM",
        "",
        "4000",
    )


def test_prices_land_with_their_tiers(tmp_path: Path):
    lake = land(tmp_path, "prices", [tiered_price(), per_unit_price()])
    rows = {r["id"]: r for r in typed(read(lake, "raw", "prices"))}
    tiered = rows["price_api_growth"]
    assert (tiered["billing_scheme"], tiered["tiers_mode"], tiered["unit_amount"]) == (
        "tiered",
        "graduated",
        None,
    )
    assert (
        tiered["recurring_interval"],
        tiered["recurring_interval_count"],
        tiered["recurring_usage_type"],
        tiered["transform_quantity_divide_by"],
        tiered["transform_quantity_round"],
    ) == ("month", 1, "metered", 1000, "up")
    fee = rows["price_fee_growth"]
    assert (fee["unit_amount"], fee["unit_amount_decimal"]) == (50000, Decimal("50000"))
    assert fee["transform_quantity_divide_by"] is None
    assert typed(read(lake, "raw", "price_tiers")) == [
        {
            "price": "price_api_growth",
            "line_index": 0,
            "up_to": 1000,
            "unit_amount": 0,
            "unit_amount_decimal": Decimal("0"),
            "flat_amount": None,
        },
        {
            "price": "price_api_growth",
            "line_index": 1,
            "up_to": 5000,
            "unit_amount": 5,
            "unit_amount_decimal": Decimal("5"),
            "flat_amount": 100,
        },
        {
            "price": "price_api_growth",
            "line_index": 2,
            "up_to": None,
            "unit_amount": None,
            "unit_amount_decimal": Decimal("2.5"),
            "flat_amount": None,
        },
    ]
    assert str(read_schema(lake, "price_tiers").field("unit_amount_decimal").type) == (
        "decimal128(38, 12)"
    )


def test_subscriptions_land_in_both_layouts_with_items(tmp_path: Path):
    new = subscription("2025_03_31")
    new["id"] = "sub_0002"
    lake = land(tmp_path, "subscriptions", [subscription(), new])
    subs = {r["id"]: r for r in read(lake, "raw", "subscriptions")}
    assert (subs["sub_0001"]["current_period_start"], subs["sub_0001"]["current_period_end"]) == (
        dt(2026, 9, 1),
        dt(2026, 10, 1),
    )
    assert subs["sub_0002"]["current_period_start"] is None
    assert (subs["sub_0001"]["metadata_crm_contract_id"], subs["sub_0001"]["status"]) == (
        "CTR-0001",
        "active",
    )
    assert subs["sub_0001"]["metadata_contract_version"] == "2"
    items = {r["subscription"]: r for r in typed(read(lake, "raw", "subscription_items"))}
    assert items["sub_0002"] == {
        "subscription": "sub_0002",
        "line_index": 0,
        "id": "si_0001",
        "price_id": "price_fee_growth",
        "price_product": "prod_platform",
        "price_currency": "gbp",
        "price_unit_amount": 50000,
        "price_unit_amount_decimal": Decimal("50000"),
        "price_billing_scheme": "per_unit",
        "price_tiers_mode": None,
        "price_recurring_interval": "month",
        "price_recurring_usage_type": "licensed",
        "quantity": 1,
        "current_period_start": dt(2026, 9, 1),
        "current_period_end": dt(2026, 10, 1),
    }
    assert items["sub_0001"]["current_period_start"] is None


PRE_2025_LINE_COLUMNS = {
    "price_id",
    "price_product",
    "price_unit_amount",
    "price_unit_amount_decimal",
    "price_billing_scheme",
    "price_tiers_mode",
    "proration",
    "subscription",
    "subscription_item",
    "type",
    "tax_amount",
}
LINE_2025_COLUMNS = {
    "pricing_price_details_price",
    "pricing_price_details_product",
    "pricing_unit_amount_decimal",
    "parent_type",
    "parent_subscription_item_details_subscription",
    "parent_subscription_item_details_subscription_item",
    "parent_subscription_item_details_proration",
    "parent_invoice_item_details_invoice_item",
    "parent_invoice_item_details_proration",
    "parent_invoice_item_details_subscription",
    "taxes_amount",
}


def test_both_invoice_layouts_land_into_one_invoice_lines_table(tmp_path: Path):
    lake = land(tmp_path, "invoices", [invoice_pre_2025(), invoice_2025()])
    assert not read(lake, "quarantine", "invoices")
    assert read_schema(lake, "invoice_lines") == invoices_module.LINES_SCHEMA.append(
        LINEAGE_FIELDS[0]
    ).append(LINEAGE_FIELDS[1]).append(LINEAGE_FIELDS[2]).append(LINEAGE_FIELDS[3])

    invoices = {r["id"]: r for r in read(lake, "raw", "invoices")}
    old, new = invoices["in_0001"], invoices["in_0002"]
    assert (
        old["layout"],
        old["subscription"],
        old["parent_subscription_details_subscription"],
    ) == (
        "pre_2025",
        "sub_0001",
        None,
    )
    assert (old["subtotal"], old["tax"], old["total_taxes"], old["total"]) == (
        64345,
        12869,
        None,
        77214,
    )
    assert (old["status_transitions_finalized_at"], old["status_transitions_paid_at"]) == (
        dt(2026, 9, 1, 2),
        dt(2026, 9, 1, 3),
    )
    assert (old["period_start"], old["period_end"], old["due_date"]) == (
        dt(2026, 8, 1),
        dt(2026, 9, 1),
        None,
    )
    assert old["metadata"] == '{"crm_contract_id":"CTR-0001"}'
    assert (
        new["layout"],
        new["subscription"],
        new["parent_subscription_details_subscription"],
    ) == (
        "2025_03_31",
        None,
        "sub_0002",
    )
    assert (new["tax"], new["total_taxes"], new["currency"], new["amount_remaining"]) == (
        None,
        5500,
        "jpy",
        60500,
    )
    assert new["due_date"] == dt(2026, 10, 1, 2)

    lines = typed(read(lake, "raw", "invoice_lines"))
    assert [(r["invoice"], r["line_index"], r["layout"]) for r in lines] == [
        ("in_0001", 0, "pre_2025"),
        ("in_0001", 1, "pre_2025"),
        ("in_0001", 2, "pre_2025"),
        ("in_0001", 3, "pre_2025"),
        ("in_0002", 0, "2025_03_31"),
        ("in_0002", 1, "2025_03_31"),
        ("in_0002", 2, "2025_03_31"),
    ]
    for row in lines:
        other = LINE_2025_COLUMNS if row["layout"] == "pre_2025" else PRE_2025_LINE_COLUMNS
        assert all(row[c] is None for c in other), row
    usage = lines[1]
    assert {k: usage[k] for k in ["id", "amount", "currency", "quantity", "description"]} == {
        "id": "il_0002",
        "amount": 12345,
        "currency": "gbp",
        "quantity": 250,
        "description": "API calls",
    }
    assert {c: usage[c] for c in sorted(PRE_2025_LINE_COLUMNS)} == {
        "price_billing_scheme": "tiered",
        "price_id": "price_api_growth",
        "price_product": "prod_api_calls",
        "price_tiers_mode": "graduated",
        "price_unit_amount": None,
        "price_unit_amount_decimal": None,
        "proration": False,
        "subscription": "sub_0001",
        "subscription_item": "si_0001",
        "tax_amount": 2469,
        "type": "subscription",
    }
    assert (usage["period_start"], usage["period_end"]) == (dt(2026, 8, 1), dt(2026, 9, 1))
    assert [r["amount"] for r in lines[:4]] == [50000, 12345, -5000, 7000]
    assert [r["proration"] for r in lines[:4]] == [False, False, True, True]
    fee_2025, one_off = lines[4], lines[6]
    assert {c: fee_2025[c] for c in sorted(LINE_2025_COLUMNS)} == {
        "parent_invoice_item_details_invoice_item": None,
        "parent_invoice_item_details_proration": None,
        "parent_invoice_item_details_subscription": None,
        "parent_subscription_item_details_proration": False,
        "parent_subscription_item_details_subscription": "sub_0002",
        "parent_subscription_item_details_subscription_item": "si_0002",
        "parent_type": "subscription_item_details",
        "pricing_price_details_price": "price_api_jp",
        "pricing_price_details_product": "prod_api_calls",
        "pricing_unit_amount_decimal": Decimal("1000.5"),
        "taxes_amount": 5000,
    }
    assert (
        one_off["parent_type"],
        one_off["parent_invoice_item_details_invoice_item"],
        one_off["parent_invoice_item_details_proration"],
        one_off["parent_invoice_item_details_subscription"],
        one_off["parent_subscription_item_details_subscription"],
    ) == ("invoice_item_details", "ii_0001", False, "sub_0002", None)


def test_draft_invoice_without_lines_or_layout_keys_lands(tmp_path: Path):
    draft = invoice_pre_2025()
    for key in ("subscription", "tax"):
        del draft[key]
    draft.update(
        status="draft",
        subtotal=0,
        total=0,
        amount_due=0,
        amount_paid=0,
        amount_remaining=0,
        status_transitions={"finalized_at": None, "paid_at": None, "voided_at": None},
        lines={"object": "list", "has_more": False, "data": []},
    )
    lake = land(tmp_path, "invoices", [draft])
    (row,) = read(lake, "raw", "invoices")
    assert (row["status"], row["layout"], row["tax"]) == ("draft", None, None)
    assert read(lake, "raw", "invoice_lines") == []


def test_credit_note_lands_with_lines(tmp_path: Path):
    lake = land(tmp_path, "credit_notes", [credit_note()])
    (row,) = typed(read(lake, "raw", "credit_notes"))
    assert row == {
        "id": "cn_0001",
        "livemode": False,
        "created": dt(2026, 10, 1),
        "invoice": "in_0001",
        "customer": "cus_0001",
        "currency": "gbp",
        "amount": 1200,
        "subtotal": 1000,
        "total": 1200,
        "reason": "order_change",
        "status": "issued",
        "type": "post_payment",
        "number": "UK-0001-CN-01",
        "memo": None,
        "effective_at": dt(2026, 9, 15),
        "refund": "re_0001",
        "voided_at": None,
        "metadata": "{}",
    }
    assert typed(read(lake, "raw", "credit_note_lines")) == [
        {
            "credit_note": "cn_0001",
            "line_index": 0,
            "id": "cnli_0001",
            "type": "invoice_line_item",
            "invoice_line_item": "il_0002",
            "quantity": 2,
            "unit_amount": 300,
            "amount": 600,
            "description": "API calls",
        },
        {
            "credit_note": "cn_0001",
            "line_index": 1,
            "id": "cnli_0002",
            "type": "custom_line_item",
            "invoice_line_item": None,
            "quantity": None,
            "unit_amount": None,
            "amount": 400,
            "description": "Goodwill",
        },
    ]


def test_charge_and_refund_land(tmp_path: Path):
    lake = land(tmp_path, "charges", [charge()])
    lake = land(tmp_path, "refunds", [refund()])
    (ch,) = typed(read(lake, "raw", "charges"))
    assert ch == {
        "id": "ch_0001",
        "livemode": False,
        "created": dt(2026, 9, 1, 3),
        "amount": 77214,
        "amount_captured": 77214,
        "amount_refunded": 1200,
        "currency": "gbp",
        "customer": "cus_0001",
        "invoice": "in_0001",
        "payment_intent": "pi_0001",
        "balance_transaction": "txn_0001",
        "status": "succeeded",
        "paid": True,
        "refunded": False,
        "disputed": False,
        "metadata": "{}",
    }
    (re,) = typed(read(lake, "raw", "refunds"))
    assert re == {
        "id": "re_0001",
        "livemode": None,
        "created": dt(2026, 10, 1),
        "amount": 1200,
        "currency": "gbp",
        "charge": "ch_0001",
        "balance_transaction": "txn_0002",
        "status": "succeeded",
        "reason": None,
        "metadata": "{}",
    }


def test_balance_transactions_land_with_exact_exchange_rate(tmp_path: Path):
    converted = balance_transaction()
    converted.update(id="txn_0002", exchange_rate=0.8612345678901234567, amount=-1033)
    converted.update(fee=0, net=-1033, type="refund", reporting_category="refund", source="re_1")
    lake = land(tmp_path, "balance_transactions", [balance_transaction(), converted])
    rows = {r["id"]: r for r in typed(read(lake, "raw", "balance_transactions"))}
    assert rows["txn_0001"] == {
        "id": "txn_0001",
        "livemode": None,
        "created": dt(2026, 9, 1, 3),
        "amount": 77214,
        "fee": 1179,
        "net": 76035,
        "currency": "gbp",
        "exchange_rate": None,
        "available_on": dt(2026, 9, 15),
        "reporting_category": "charge",
        "source": "ch_0001",
        "status": "available",
        "type": "charge",
        "metadata": None,
    }
    # The JSON number is read as a decimal; float noise past 12 places is rounded half-even.
    assert rows["txn_0002"]["exchange_rate"] == Decimal("0.861234567890")
    assert rows["txn_0002"]["net"] == -1033


# --- the bad-input corpus ---------------------------------------------------------------------


def mutate(build: Callable[[], dict], *changes: tuple[tuple, object]) -> Callable[[], dict]:
    """A builder for `build()` with values set (or DELETEd) at key paths."""

    def bad() -> dict:
        record = build()
        for path, value in changes:
            target = record
            for key in path[:-1]:
                target = target[key]
            if value is DELETE:
                del target[path[-1]]
            else:
                target[path[-1]] = copy.deepcopy(value)
        return record

    return bad


LINE0 = ("lines", "data", 0)
ITEM0 = ("items", "data", 0)
SCHEMA, RULE, CONTROL = "schema", "business_rule", "accounting_control"

# One case per line (or two): id, table, bad record builder, reason code, class, and a text
# the detail must contain (the field that was wrong).
# fmt: off
CORPUS = [
    # invoices
    ("invoice_float_amount", "invoices", mutate(invoice_pre_2025, (("subtotal",), 643.45)),
     "non_integer_amount", SCHEMA, "subtotal"),
    ("invoice_amount_as_string", "invoices", mutate(invoice_pre_2025, (("total",), "77214")),
     "wrong_type", SCHEMA, "total"),
    ("invoice_unknown_currency", "invoices", mutate(invoice_pre_2025, (("currency",), "xyz")),
     "unknown_currency", SCHEMA, "currency"),
    ("invoice_upper_case_currency", "invoices", mutate(invoice_pre_2025, (("currency",), "GBP")),
     "currency_not_lowercase", SCHEMA, "currency"),
    ("invoice_missing_lines", "invoices", mutate(invoice_pre_2025, (("lines",), DELETE)),
     "missing_field", SCHEMA, "lines"),
    ("invoice_lines_has_more", "invoices",
     mutate(invoice_pre_2025, (("lines", "has_more"), True)), "truncated_list", SCHEMA, "lines"),
    ("invoice_subtotal_mismatch", "invoices", mutate(invoice_pre_2025, (("subtotal",), 64346)),
     "subtotal_mismatch", CONTROL, "subtotal"),
    ("invoice_total_mismatch", "invoices",
     mutate(invoice_pre_2025, (("total",), 77215), (("amount_due",), 77215),
            (("amount_paid",), 77215)),
     "total_mismatch", CONTROL, "total"),
    ("invoice_2025_total_taxes_mismatch", "invoices",
     mutate(invoice_2025, (("total_taxes", 0, "amount"), 5499)), "total_mismatch", CONTROL,
     "tax 5499"),
    ("invoice_amount_due_not_total", "invoices",
     mutate(invoice_pre_2025, (("amount_due",), 77000), (("amount_paid",), 77000)),
     "amount_due_mismatch", CONTROL, "amount_due"),
    ("invoice_paid_plus_remaining_not_due", "invoices",
     mutate(invoice_pre_2025, (("amount_remaining",), 5)), "amount_remaining_mismatch", CONTROL,
     "amount_remaining"),
    ("invoice_line_in_both_layouts", "invoices",
     mutate(invoice_pre_2025, ((*LINE0, "pricing"), {"type": "price_details"})),
     "line_in_both_layouts", SCHEMA, "lines.data[0]"),
    ("invoice_line_in_no_layout", "invoices",
     mutate(invoice_pre_2025, ((*LINE0, "price"), DELETE), ((*LINE0, "proration"), DELETE),
            ((*LINE0, "subscription_item"), DELETE), ((*LINE0, "tax_amounts"), DELETE)),
     "line_in_no_layout", SCHEMA, "lines.data[0]"),
    ("invoice_lines_mixed_with_header_layout", "invoices",
     mutate(invoice_pre_2025, (LINE0, {**line_2025(9, 50000), "currency": "gbp"})),
     "mixed_layouts", SCHEMA, "layouts"),
    ("invoice_header_in_both_layouts", "invoices",
     mutate(invoice_2025, (("subscription",), "sub_0002")), "invoice_in_both_layouts", SCHEMA,
     "both"),
    ("invoice_line_currency_mismatch", "invoices",
     mutate(invoice_pre_2025, ((*LINE0, "currency"), "usd")), "line_currency_mismatch", RULE,
     "lines.data[0].currency"),
    ("invoice_open_without_finalized_at", "invoices",
     mutate(invoice_pre_2025, (("status",), "open"),
            (("status_transitions", "finalized_at"), None)),
     "missing_finalized_at", RULE, "finalized_at"),
    ("invoice_unknown_status", "invoices", mutate(invoice_pre_2025, (("status",), "settled")),
     "unknown_status", SCHEMA, "status"),
    ("invoice_bad_id_prefix", "invoices", mutate(invoice_pre_2025, (("id",), "inv_0001")),
     "bad_id_prefix", SCHEMA, "'id'"),
    ("invoice_line_bad_id_prefix", "invoices", mutate(invoice_pre_2025, ((*LINE0, "id"), "in_9")),
     "bad_id_prefix", SCHEMA, "lines.data[0].id"),
    ("invoice_created_as_string", "invoices",
     mutate(invoice_pre_2025, (("created",), "2026-09-01T02:00:00Z")), "bad_timestamp", SCHEMA,
     "created"),
    ("invoice_created_epoch_zero", "invoices", mutate(invoice_pre_2025, (("created",), 0)),
     "timestamp_out_of_range", RULE, "created"),
    ("invoice_line_period_as_float", "invoices",
     mutate(invoice_pre_2025, ((*LINE0, "period", "end"), 1788220800.0)), "bad_timestamp",
     SCHEMA, "lines.data[0].period.end"),
    ("invoice_wrong_object", "invoices", mutate(invoice_pre_2025, (("object",), "charge")),
     "wrong_object", SCHEMA, "object"),
    ("invoice_livemode_as_string", "invoices", mutate(invoice_pre_2025, (("livemode",), "false")),
     "wrong_type", SCHEMA, "livemode"),
    ("invoice_line_negative_quantity", "invoices",
     mutate(invoice_pre_2025, ((*LINE0, "quantity"), -1)), "negative_quantity", RULE,
     "lines.data[0].quantity"),
    ("invoice_line_proration_as_int", "invoices",
     mutate(invoice_pre_2025, ((*LINE0, "proration"), 0)), "wrong_type", SCHEMA,
     "lines.data[0].proration"),
    ("invoice_line_unknown_type", "invoices",
     mutate(invoice_pre_2025, ((*LINE0, "type"), "usage")), "unknown_line_type", SCHEMA,
     "lines.data[0].type"),
    ("invoice_2025_unknown_parent_type", "invoices",
     mutate(invoice_2025, ((*LINE0, "parent", "type"), "quote_details")), "unknown_parent_type",
     SCHEMA, "lines.data[0].parent.type"),
    ("invoice_period_end_before_start", "invoices",
     mutate(invoice_pre_2025, (("period_end",), AUG - 1)), "period_end_before_start", RULE,
     "period"),
    ("invoice_not_a_json_object", "invoices", lambda: "[1, 2]", "not_an_object", SCHEMA, "list"),
    ("invoice_malformed_json", "invoices", lambda: '{"id": "in_1",', "malformed_json", SCHEMA,
     "JSON"),
    # credit notes
    ("credit_note_lines_do_not_sum_to_subtotal", "credit_notes",
     mutate(credit_note, (("lines", "data", 1, "amount"), 401)), "subtotal_mismatch", CONTROL,
     "subtotal"),
    ("credit_note_total_not_amount", "credit_notes", mutate(credit_note, (("total",), 1100)),
     "total_amount_mismatch", CONTROL, "'total' 1100"),
    ("credit_note_unknown_reason", "credit_notes", mutate(credit_note, (("reason",), "goodwill")),
     "unknown_reason", SCHEMA, "reason"),
    ("credit_note_line_without_invoice_line", "credit_notes",
     mutate(credit_note, ((*LINE0, "invoice_line_item"), None)), "missing_invoice_line_item",
     RULE, "lines.data[0].invoice_line_item"),
    ("credit_note_void_without_voided_at", "credit_notes",
     mutate(credit_note, (("status",), "void")), "missing_voided_at", RULE, "voided_at"),
    ("credit_note_negative_amount", "credit_notes",
     mutate(credit_note, (("amount",), -1200), (("total",), -1200)), "negative_amount", RULE,
     "amount"),
    # charges
    ("charge_negative_amount", "charges", mutate(charge, (("amount",), -77214)),
     "negative_amount", RULE, "amount"),
    ("charge_refunded_exceeds_captured", "charges",
     mutate(charge, (("amount_refunded",), 80000)), "refunded_exceeds_captured", CONTROL,
     "amount_refunded"),
    ("charge_paid_as_string", "charges", mutate(charge, (("paid",), "true")), "wrong_type",
     SCHEMA, "paid"),
    ("charge_unknown_status", "charges", mutate(charge, (("status",), "captured")),
     "unknown_status", SCHEMA, "status"),
    # refunds
    ("refund_without_charge", "refunds", mutate(refund, (("charge",), DELETE)), "missing_field",
     SCHEMA, "charge"),
    ("refund_charge_is_a_payment_intent", "refunds", mutate(refund, (("charge",), "pi_0001")),
     "bad_id_prefix", SCHEMA, "charge"),
    ("refund_float_amount", "refunds", mutate(refund, (("amount",), 12.0)), "non_integer_amount",
     SCHEMA, "amount"),
    # balance transactions
    ("balance_transaction_net_mismatch", "balance_transactions",
     mutate(balance_transaction, (("net",), 77214)), "net_mismatch", CONTROL, "net"),
    ("balance_transaction_unknown_type", "balance_transactions",
     mutate(balance_transaction, (("type",), "payuot")), "unknown_type", SCHEMA, "type"),
    ("balance_transaction_zero_exchange_rate", "balance_transactions",
     mutate(balance_transaction, (("exchange_rate",), 0)), "non_positive_exchange_rate", RULE,
     "exchange_rate"),
    ("balance_transaction_exchange_rate_as_string", "balance_transactions",
     mutate(balance_transaction, (("exchange_rate",), "0.86")), "wrong_type", SCHEMA,
     "exchange_rate"),
    ("balance_transaction_source_is_an_invoice", "balance_transactions",
     mutate(balance_transaction, (("source",), "in_0001")), "bad_id_prefix", SCHEMA, "source"),
    # prices
    ("invoice_payment_paid_exceeds_requested", "invoice_payments",
     mutate(invoice_payment, (("amount_paid",), 77215)), "paid_exceeds_requested", CONTROL,
     "amount_requested"),
    ("invoice_payment_without_its_payment_intent", "invoice_payments",
     mutate(invoice_payment, (("payment", "payment_intent"), None)), "missing_payment_reference",
     SCHEMA, "payment.payment_intent"),
    ("invoice_payment_bad_id", "invoice_payments", mutate(invoice_payment, (("id",), "ip_1")),
     "bad_id_prefix", SCHEMA, "inpay_"),
    ("invoice_amount_due_ignores_the_balance", "invoices",
     mutate(invoice_pre_2025, (("starting_balance",), -5000), (("ending_balance",), 0)),
     "amount_due_mismatch", CONTROL, "starting_balance"),
    ("credit_note_refund_not_a_refund", "credit_notes",
     mutate(credit_note, (("refunds",), [{"refund": "ch_1", "amount_refunded": 5}])),
     "bad_id_prefix", SCHEMA, "refunds[0].refund"),
    ("price_tiers_not_ascending", "prices", mutate(tiered_price, (("tiers", 1, "up_to"), 500)),
     "tiers_not_ascending", RULE, "tiers[1].up_to"),
    ("price_last_tier_bounded", "prices", mutate(tiered_price, (("tiers", 2, "up_to"), 9000)),
     "last_tier_bounded", RULE, "tiers[2].up_to"),
    ("price_unit_amount_decimal_not_a_number", "prices",
     mutate(per_unit_price, (("unit_amount_decimal",), "fifty")), "wrong_type", SCHEMA,
     "unit_amount_decimal"),
    ("price_unit_amount_disagrees_with_decimal", "prices",
     mutate(per_unit_price, (("unit_amount_decimal",), "50000.5")), "unit_amount_mismatch", RULE,
     "unit_amount"),
    ("price_unknown_usage_type", "prices",
     mutate(tiered_price, (("recurring", "usage_type"), "metred")),
     "unknown_recurring_usage_type", SCHEMA, "recurring.usage_type"),
    ("price_divide_by_zero", "prices",
     mutate(tiered_price, (("transform_quantity", "divide_by"), 0)), "not_positive", RULE,
     "transform_quantity.divide_by"),
    ("price_per_unit_without_amount", "prices",
     mutate(per_unit_price, (("unit_amount",), None), (("unit_amount_decimal",), None)),
     "missing_unit_amount", RULE, "unit_amount"),
    # subscriptions
    ("subscription_unknown_status", "subscriptions",
     mutate(subscription, (("status",), "expired")), "unknown_status", SCHEMA, "status"),
    ("subscription_item_quantity_as_float", "subscriptions",
     mutate(subscription, ((*ITEM0, "quantity"), 1.5)), "wrong_type", SCHEMA,
     "items.data[0].quantity"),
    ("subscription_item_currency_mismatch", "subscriptions",
     mutate(subscription, ((*ITEM0, "price", "currency"), "usd")), "item_currency_mismatch", RULE,
     "items.data[0].price.currency"),
    ("subscription_items_has_more", "subscriptions",
     mutate(subscription, (("items", "has_more"), True)), "truncated_list", SCHEMA, "items"),
    # customers and products
    ("customer_metadata_value_not_a_string", "customers",
     mutate(customer, (("metadata", "netsuite_customer_id"), 101)), "wrong_type", SCHEMA,
     "metadata.netsuite_customer_id"),
    ("customer_bad_id_prefix", "customers", mutate(customer, (("id",), "ACC-0001")),
     "bad_id_prefix", SCHEMA, "'id'"),
    ("product_without_active", "products", mutate(product, (("active",), DELETE)),
     "missing_field", SCHEMA, "active"),
    ("product_created_with_fraction", "products",
     mutate(product, (("created",), 1785542400.5)), "bad_timestamp", SCHEMA, "created"),
]
# fmt: on


@pytest.mark.parametrize(
    ("table", "build", "code", "klass", "names"),
    [pytest.param(*case[1:], id=case[0]) for case in CORPUS],
)
def test_bad_input_is_quarantined_with_its_reason(
    tmp_path: Path, table: str, build: Callable[[], object], code: str, klass: str, names: str
):
    lake = land(tmp_path, table, [build()])
    (bad,) = read(lake, "quarantine", table)
    assert (bad["reason_code"], bad["reason_class"]) == (code, klass), bad["reason_detail"]
    assert names in bad["reason_detail"]
    assert bad["source_table"] == table
    contract = BY_TABLE[table]
    for name in [table, *contract.children]:
        assert read(lake, "raw", name) == [], name  # nothing of a rejected object lands


def test_corpus_is_distinct_and_covers_every_object_type():
    assert len(CORPUS) >= 22
    assert len({case[0] for case in CORPUS}) == len(CORPUS)
    assert {case[1] for case in CORPUS} == {c.table for c in CONTRACTS}
    assert {case[4] for case in CORPUS} == {SCHEMA, RULE, CONTROL}


def test_one_bad_invoice_does_not_stop_the_good_ones(tmp_path: Path):
    bad = mutate(invoice_pre_2025, (("subtotal",), 1))()
    lake = land(tmp_path, "invoices", [invoice_pre_2025(), bad, invoice_2025()])
    assert [r["id"] for r in read(lake, "raw", "invoices")] == ["in_0001", "in_0002"]
    assert [(r["line_number"], r["reason_code"]) for r in read(lake, "quarantine", "invoices")] == [
        (2, "subtotal_mismatch")
    ]
    assert len(read(lake, "raw", "invoice_lines")) == 7


# --- real-world shapes: null deprecated keys, unknown keys, expanded references ------------


def test_2025_invoice_with_deprecated_keys_kept_as_null_lands(tmp_path: Path):
    """Serializers (Stripe's own OpenAPI fixtures, sync tools) keep the pre-2025 keys as null
    in the 2025-03-31 layout: a null key does not count when deciding the layout."""
    current = invoice_2025()
    current.update(subscription=None, tax=None, total_tax_amounts=None, charge=None)
    for line in current["lines"]["data"]:
        line.update(price=None, proration=None, subscription=None, subscription_item=None)
        line.update(tax_amounts=None, type=None, plan=None)
    older = invoice_pre_2025()  # and the old layout with the new keys kept as null
    older.update(parent=None, total_taxes=None)
    for line in older["lines"]["data"]:
        line.update(pricing=None, parent=None, taxes=None)

    lake = land(tmp_path, "invoices", [current, older])

    assert read(lake, "quarantine", "invoices") == []
    rows = {r["id"]: r for r in read(lake, "raw", "invoices")}
    assert (rows["in_0002"]["layout"], rows["in_0002"]["subscription"]) == ("2025_03_31", None)
    assert rows["in_0002"]["parent_subscription_details_subscription"] == "sub_0002"
    assert (rows["in_0001"]["layout"], rows["in_0001"]["subscription"]) == ("pre_2025", "sub_0001")
    lines = read(lake, "raw", "invoice_lines")
    assert [r["layout"] for r in lines] == ["2025_03_31"] * 3 + ["pre_2025"] * 4
    assert lines[0]["pricing_price_details_price"] == "price_api_jp"
    assert lines[3]["price_id"] == "price_fee_growth"


def test_unknown_keys_are_kept_in_the_raw_payload(tmp_path: Path):
    record = invoice_2025()
    record["amount_overpaid"] = 0
    record["confirmation_secret"] = {"client_secret": "cs_x", "type": "invoice"}
    record["lines"]["data"][0]["pretax_credit_amounts"] = [{"amount": 1, "type": "discount"}]
    lake = land(tmp_path, "invoices", [record])
    (row,) = read(lake, "raw", "invoices")
    assert json.loads(row["payload"]) == record
    assert read(lake, "quarantine", "invoices") == []


def expanded(object_type: str, object_id: str, **fields: object) -> dict:
    """An expanded reference as Stripe returns it with `expand[]`: the whole object."""
    return {"id": object_id, "object": object_type, "livemode": False, **fields}


# table, builder, where the reference is, the expanded object, the column and id that land
EXPANDED = [
    ("invoices", invoice_pre_2025, ("customer",),
     expanded("customer", "cus_0001", email="ap@acme.example"), "customer", "cus_0001"),
    ("invoices", invoice_pre_2025, ("subscription",),
     expanded("subscription", "sub_0001", status="active"), "subscription", "sub_0001"),
    ("invoices", invoice_2025, ("parent", "subscription_details", "subscription"),
     expanded("subscription", "sub_0002"), "parent_subscription_details_subscription",
     "sub_0002"),
    ("invoice_lines", invoice_pre_2025, (*LINE0, "subscription"),
     expanded("subscription", "sub_0001"), "subscription", "sub_0001"),
    ("invoice_lines", invoice_pre_2025, (*LINE0, "price", "product"),
     expanded("product", "prod_platform", name="Platform"), "price_product", "prod_platform"),
    ("invoice_lines", invoice_pre_2025, (*LINE0, "price"), "price_fee_growth", "price_id",
     "price_fee_growth"),
    ("invoice_lines", invoice_2025, (*LINE0, "pricing", "price_details", "price"),
     expanded("price", "price_api_jp", unit_amount=1000), "pricing_price_details_price",
     "price_api_jp"),
    ("invoice_lines", invoice_2025, (*LINE0, "parent", "subscription_item_details",
                                     "subscription"),
     expanded("subscription", "sub_0002"), "parent_subscription_item_details_subscription",
     "sub_0002"),
    ("credit_notes", credit_note, ("invoice",), expanded("invoice", "in_0001", total=77214),
     "invoice", "in_0001"),
    ("credit_notes", credit_note, ("customer",), expanded("customer", "cus_0001"), "customer",
     "cus_0001"),
    ("credit_notes", credit_note, ("refund",), expanded("refund", "re_0001", amount=1200),
     "refund", "re_0001"),
    ("charges", charge, ("balance_transaction",),
     expanded("balance_transaction", "txn_0001", fee=1179), "balance_transaction", "txn_0001"),
    ("charges", charge, ("customer",), expanded("customer", "cus_0001"), "customer", "cus_0001"),
    ("charges", charge, ("invoice",), expanded("invoice", "in_0001"), "invoice", "in_0001"),
    ("charges", charge, ("payment_intent",), expanded("payment_intent", "pi_0001"),
     "payment_intent", "pi_0001"),
    ("refunds", refund, ("charge",), expanded("charge", "ch_0001", amount=77214), "charge",
     "ch_0001"),
    ("refunds", refund, ("balance_transaction",), expanded("balance_transaction", "txn_0002"),
     "balance_transaction", "txn_0002"),
    ("balance_transactions", balance_transaction, ("source",),
     expanded("charge", "ch_0001", amount=77214), "source", "ch_0001"),
    ("subscriptions", subscription, ("customer",), expanded("customer", "cus_0001"), "customer",
     "cus_0001"),
    ("subscription_items", subscription, (*ITEM0, "price", "product"),
     expanded("product", "prod_platform"), "price_product", "prod_platform"),
    ("prices", per_unit_price, ("product",), expanded("product", "prod_platform"), "product",
     "prod_platform"),
]  # fmt: skip
PARENT_TABLE = {"invoice_lines": "invoices", "subscription_items": "subscriptions"}


@pytest.mark.parametrize(
    ("table", "build", "path", "value", "column", "landed"),
    EXPANDED,
    ids=[f"{e[0]}.{'.'.join(str(k) for k in e[2])}" for e in EXPANDED],
)
def test_expandable_references_land_as_id_or_expanded_object(
    tmp_path: Path, table, build, path, value, column, landed
):
    lake = land(tmp_path, PARENT_TABLE.get(table, table), [mutate(build, (path, value))()])
    assert read(lake, "quarantine", PARENT_TABLE.get(table, table)) == []
    assert read(lake, "raw", table)[0][column] == landed


def test_expanded_reference_without_an_id_is_rejected(tmp_path: Path):
    bad = mutate(charge, (("customer",), {"object": "customer", "email": "x@example.com"}))()
    lake = land(tmp_path, "charges", [bad])
    ((code, detail),) = [
        (r["reason_code"], r["reason_detail"]) for r in read(lake, "quarantine", "charges")
    ]
    assert (code, "'customer.id'" in detail) == ("missing_field", True)


# --- API versions and Stripe's documented arithmetic (issue 24) ---------------------------------


def test_invoice_payments_link_an_invoice_to_its_payment_intent(tmp_path: Path):
    """API 2025-03-31: the charge has no `invoice`; the invoice payment names both sides."""
    by_charge = mutate(
        invoice_payment,
        (("id",), "inpay_0002"),
        (("payment",), {"type": "charge", "charge": {"id": "ch_0002", "object": "charge"}}),
        (("status",), "open"),
        (("amount_paid",), None),
        (("status_transitions",), {"paid_at": None, "canceled_at": None}),
    )
    lake = land(tmp_path, "invoice_payments", [invoice_payment(), by_charge()])
    rows = typed(read(lake, "raw", "invoice_payments"))
    assert [
        (r["id"], r["invoice"], r["payment_type"], r["payment_intent"], r["charge"], r["status"])
        for r in rows
    ] == [
        ("inpay_0001", "in_0001", "payment_intent", "pi_0001", None, "paid"),
        ("inpay_0002", "in_0001", "charge", None, "ch_0002", "open"),
    ]
    assert rows[0]["amount_paid"] == 77214 and rows[1]["amount_paid"] is None


@pytest.mark.parametrize(
    ("changes", "amount_due"),
    [
        # a customer credit balance of 50.00 applied at finalization (starting -5000, ending 0)
        ({"starting_balance": -5000, "ending_balance": 0}, -5000),
        # a credit larger than the invoice: amount_due 0, the rest stays on the balance
        ({"starting_balance": -200000, "ending_balance": -200000 + 77214}, -77214),
        # the customer owed 12.00 before: it is added to what is due
        ({"starting_balance": 1200, "ending_balance": 0}, 1200),
        # a pre-payment credit note of 20.00 issued on the open invoice
        ({"pre_payment_credit_notes_amount": 2000, "post_payment_credit_notes_amount": 0}, -2000),
        # both, and a post-payment credit note, which does not change amount_due
        (
            {
                "starting_balance": -1000,
                "ending_balance": 0,
                "pre_payment_credit_notes_amount": 2000,
                "post_payment_credit_notes_amount": 500,
            },
            -3000,
        ),
    ],
    ids=["credit_balance", "credit_covers_all", "debit_balance", "pre_payment_cn", "both"],
)
def test_amount_due_follows_stripe_balance_and_credit_note_arithmetic(
    tmp_path: Path, changes: dict, amount_due: int
):
    """amount_due = total - pre-payment credit notes + (starting - ending balance)."""
    record = invoice_pre_2025()
    due = record["total"] + amount_due
    record |= changes | {"amount_due": due, "amount_paid": due, "amount_remaining": 0}
    lake = land(tmp_path, "invoices", [record])
    assert read(lake, "quarantine", "invoices") == []
    (row,) = read(lake, "raw", "invoices")
    assert (row["amount_due"], row["starting_balance"], row["ending_balance"]) == (
        due,
        changes.get("starting_balance"),
        changes.get("ending_balance"),
    )
    assert row["pre_payment_credit_notes_amount"] == changes.get("pre_payment_credit_notes_amount")


def test_an_overpaid_invoice_lands_with_the_overpayment(tmp_path: Path):
    record = invoice_pre_2025()
    record |= {"amount_paid": record["total"] + 300, "amount_overpaid": 300}
    lake = land(tmp_path, "invoices", [record])
    (row,) = read(lake, "raw", "invoices")
    assert row["amount_overpaid"] == 300
    wrong = record | {"amount_overpaid": 0}
    lake = land(tmp_path, "invoices", [wrong])
    (bad,) = read(lake, "quarantine", "invoices")
    assert bad["reason_code"] == "amount_remaining_mismatch"


def test_credit_note_keeps_every_refund_in_both_layouts(tmp_path: Path):
    two = mutate(
        credit_note,
        (("id",), "cn_0002"),
        (("refund",), DELETE),
        (
            ("refunds",),
            [
                {"refund": "re_0002", "amount_refunded": 700, "type": "refund",
                 "payment_record_refund": None},
                {"refund": {"id": "re_0003", "object": "refund"}, "amount_refunded": 500,
                 "type": "refund", "payment_record_refund": None},
            ],
        ),
    )  # fmt: skip
    lake = land(tmp_path, "credit_notes", [credit_note(), two()])
    notes = {r["id"]: r["refund"] for r in read(lake, "raw", "credit_notes")}
    assert notes == {"cn_0001": "re_0001", "cn_0002": None}  # two refunds: no single one
    refunds = typed(read(lake, "raw", "credit_note_refunds"))
    assert [
        (r["credit_note"], r["line_index"], r["refund"], r["amount_refunded"]) for r in refunds
    ] == [
        ("cn_0001", 0, "re_0001", None),
        ("cn_0002", 0, "re_0002", 700),
        ("cn_0002", 1, "re_0003", 500),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "source", "amount", "fee"),
    [
        ("payout", "po_1RxA01ExmpL3", -76035, 0),
        ("adjustment", "dp_1RxA01ExmpL3", -77214, 1500),  # a dispute (dp_), with its fee
        ("stripe_fee", None, -250, 0),  # Stripe's own fees (Billing, Radar) name no source
        ("application_fee", "fee_1RxA01ExmpL3", 880, 0),
        ("topup", "tu_1RxA01ExmpL3", 10000, 0),
        ("transfer", "tr_1RxA01ExmpL3", -5000, 0),
        ("payout_minimum_balance_hold", "po_1RxA01ExmpL4", -10000, 0),
        ("stripe_fx_fee", None, -12, 0),
    ],
)
def test_every_documented_balance_transaction_type_and_source_lands(
    tmp_path: Path, kind: str, source: str | None, amount: int, fee: int
):
    record = balance_transaction() | {
        "type": kind,
        "source": source,
        "amount": amount,
        "fee": fee,
        "net": amount - fee,
        "reporting_category": kind,
    }
    lake = land(tmp_path, "balance_transactions", [record])
    assert read(lake, "quarantine", "balance_transactions") == []
    (row,) = read(lake, "raw", "balance_transactions")
    assert (row["type"], row["source"], row["net"]) == (kind, source, amount - fee)


def test_a_tiered_price_without_expanded_tiers_lands_flagged(tmp_path: Path):
    """Stripe sends `tiers` only with expand[]=tiers: the price lands, marked, without tiers."""
    unexpanded = mutate(tiered_price, (("tiers",), DELETE))
    lake = land(tmp_path, "prices", [tiered_price(), unexpanded()])
    assert read(lake, "quarantine", "prices") == []
    assert [(r["id"], r["tiers_included"]) for r in read(lake, "raw", "prices")] == [
        ("price_api_growth", True),
        ("price_api_growth", False),
    ]
    assert {r["line_number"] for r in read(lake, "raw", "price_tiers")} == {1}
