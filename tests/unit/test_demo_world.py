"""The demo world generator: deterministic, consistent across the five systems, and its
answer key is exactly what an independent re-check of the generated files finds.

The re-check below reads only the files (usage JSON lines, Stripe JSON lines, CRM and
NetSuite CSVs): it deduplicates usage on (source, id) with the first delivery winning, rates
it on the CRM price terms with the billing policy, and matches every Stripe document with its
ERP journal by external id. Every difference it finds must be in the answer key, and every
answer-key entry must be such a difference.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import pytest

from demo_world import rating
from demo_world.generate import GenerateOptions, generate
from demo_world.rating import PriceTerm, Tier
from demo_world.usage import EVENT_TYPES
from sources.contract import Rejection
from sources.registry import CONTRACTS
from sources.usage.events import validate as validate_event

DBT_SEEDS = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"

SMALL = {"seed": 5, "customers": 8, "days": 62, "events_per_day": 300}
TAX_RATES = {
    "US01": Decimal(0),
    "UK01": Decimal("0.20"),
    "NL01": Decimal("0.21"),
    "JP01": Decimal("0.10"),
}
MINOR = {"usd": 2, "eur": 2, "gbp": 2, "jpy": 0}

# The spec's column lists, in the spec's order.
CSV_HEADERS = {
    "crm/accounts.csv": """account_id account_name parent_account_id billing_country region
        legal_entity currency stripe_customer_id netsuite_customer_id created_at""",
    "crm/contracts.csv": """contract_id account_id contract_number status start_date end_date
        currency legal_entity billing_subscription_id signed_at""",
    "crm/contract_amendments.csv": """amendment_id contract_id business_transaction_id
        contract_version amendment_type effective_from effective_to plan_code platform_fee
        minimum_commitment currency legal_entity region signed_at""",
    "crm/contract_price_terms.csv": """amendment_id metric pricing_model tier up_to unit_price
        flat_fee included_units unit_divisor rounding overage_allowed plan_limit""",
    "erp/subsidiary.csv": """id name legalname tranprefix country currency fiscalcalendar
        iselimination parent""",
    "erp/currency.csv": "id name symbol currencyprecision isbasecurrency exchangerate",
    "erp/accountingperiod.csv": """id periodname startdate enddate closed alllocked arlocked
        isposting isquarter isyear isadjust""",
    "erp/account.csv": """id acctnumber accttype fullname currency subsidiary isinactive issummary
        parent""",
    "erp/customer.csv": "id entityid companyname currency subsidiary externalid",
    "erp/consolidatedexchangerate.csv": """id postingperiod fromcurrency tocurrency fromsubsidiary
        tosubsidiary averagerate currentrate historicalrate accountingbook""",
    "erp/transaction.csv": """id transactionnumber type memo trandate status createddate duedate
        currency entity postingperiod posting isreversal reversal reversaldate externalid
        _fivetran_deleted _fivetran_synced""",
    "erp/transaction_deleted.csv": "id date_deleted",
    "erp/transactionline.csv": """id transaction subsidiary entity department class location item
        memo mainline netamount foreignamount quantity rate taxline transactionlinetype
        _fivetran_deleted _fivetran_synced""",
    "erp/transactionaccountingline.csv": """accountingbook transaction transactionline account
        amount debit credit netamount exchangerate posting amountpaid amountunpaid
        _fivetran_deleted _fivetran_synced""",
}
STRIPE_FILES = (
    "customers", "products", "prices", "subscriptions", "invoices", "credit_notes",
    "invoice_payments", "charges", "refunds", "balance_transactions", "meter_events",
)  # fmt: skip


# --- reading the generated files --------------------------------------------------------------


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line, parse_float=Decimal) for line in path.read_text().splitlines()]


def csv_rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def utc(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)


def mtime(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(tzinfo=None)


@dataclass
class Inbox:
    root: Path
    stripe: dict[str, list[dict]] = field(default_factory=dict)
    crm: dict[str, list[dict]] = field(default_factory=dict)
    erp: dict[str, list[dict]] = field(default_factory=dict)

    @classmethod
    def read(cls, out: Path) -> Inbox:
        inbox = cls(out / "inbox")
        inbox.stripe = {n: jsonl(out / "inbox" / "billing" / f"{n}.jsonl") for n in STRIPE_FILES}
        for name in CSV_HEADERS:
            system, table = name.split("/")
            getattr(inbox, system)[table.removesuffix(".csv")] = csv_rows(out / "inbox" / name)
        return inbox


def invoice_subscription(invoice: dict) -> str:
    return invoice.get("subscription") or invoice["parent"]["subscription_details"]["subscription"]


def charge_invoice(stripe: dict[str, list[dict]], charge: dict) -> str:
    """The charge's invoice: its own `invoice` (pre-2025), else the invoice payment of its
    PaymentIntent (API 2025-03-31 removed the charge's `invoice`)."""
    if charge.get("invoice"):
        return charge["invoice"]
    (paid,) = [
        p["invoice"]
        for p in stripe["invoice_payments"]
        if p["payment"].get("payment_intent") == charge["payment_intent"]
    ]
    return paid


def note_refunds(note: dict) -> list[str]:
    """A credit note's refunds: `refund` (pre-2025) or `refunds[]` (2025-03-31)."""
    if "refunds" in note:
        return [r["refund"] for r in note["refunds"]]
    return [note["refund"]] if note.get("refund") else []


def line_price(line: dict) -> str:
    return line["price"]["id"] if "price" in line else line["pricing"]["price_details"]["price"]


# --- the independent re-check ---------------------------------------------------------------


@dataclass
class Usage:
    metered: dict = field(default_factory=dict)  # on time, first delivery, per the meter
    by_version: dict = field(default_factory=dict)  # the same per version in effect (CRM)
    late: dict = field(default_factory=lambda: defaultdict(int))
    redeliveries: set = field(default_factory=set)  # (source, id, file, line)
    conflicts: set = field(default_factory=set)  # (file, line)
    events: list = field(default_factory=list)  # first deliveries: the events themselves
    first: dict = field(default_factory=dict)  # (source, id) -> (file, line, requests)
    errors: dict = field(default_factory=lambda: defaultdict(int))  # 5xx roll-ups per sub x day


def meter(event: dict) -> tuple[str, str, object] | None:
    """(metric, aggregation, value) of an event as the demo's meters read it (seed meters),
    re-implemented here from the seed's documented semantics, independently of the SQL."""
    data = event.get("data") or {}
    if event["type"] == "com.example.api.requests":
        return "api_calls", "SUM", int(data["requests"])
    if event["type"] == "com.example.storage.snapshot":
        return "storage_bytes", "MAX", int(data["bytes"])
    if event["type"] == "com.example.seat.active" and data["role"] != "viewer":
        return "seats", "UNIQUE_COUNT", data["user_id"]
    return None


def _combine(target: dict, key: tuple, aggregation: str, value: object) -> None:
    if aggregation == "SUM":
        target[key] = target.get(key, 0) + value
    elif aggregation == "MAX":
        target[key] = max(target.get(key, 0), value)
    else:
        target.setdefault(key, set()).add(value)


def scan_usage(inbox: Path) -> Usage:
    usage, first = Usage(), {}
    amendments, _, _ = contract_terms(Inbox.read(inbox.parent))
    # landing order: delivery time (mtime), then name
    for path in sorted((inbox / "usage").glob("*.jsonl"), key=lambda p: (mtime(p), p.name)):
        late = path.name.startswith("events_late_")
        for number, text in enumerate(path.read_text().splitlines(), start=1):
            event = json.loads(text, parse_float=Decimal)
            key = (event["source"], event["id"])
            canonical = json.dumps(event, sort_keys=True, default=str)
            if key in first:
                if first[key] == canonical:
                    usage.redeliveries.add((*key, path.name, number))
                else:
                    usage.conflicts.add((path.name, number))
                continue
            first[key] = canonical
            data = event["data"]
            usage.first[key] = (path.name, number, data.get("requests"))
            usage.events.append(event)
            if data.get("status", 200) >= 500:
                usage.errors[(event["subject"], event["time"][:10])] += 1
            metered = meter(event)
            if metered is None:
                continue
            metric, aggregation, value = metered
            sub = event["subject"]
            key = (sub, event["time"][:7], metric)
            if late:
                usage.late[key] += value
                continue
            _combine(usage.metered, key, aggregation, value)
            if sub in amendments:
                version = version_at(amendments[sub], date.fromisoformat(event["time"][:10]))
                versioned = (*key, int(version["contract_version"]))
                _combine(usage.by_version, versioned, aggregation, value)
    for target in (usage.metered, usage.by_version):
        for key, value in target.items():
            if isinstance(value, set):
                target[key] = len(value)
    return usage


def contract_terms(inbox: Inbox) -> tuple[dict, dict, dict]:
    """subscription -> sorted amendments; amendment -> {metric: PriceTerm}; sub -> entity."""
    contract_of = {c["billing_subscription_id"]: c for c in inbox.crm["contracts"]}
    by_contract = defaultdict(list)
    for a in inbox.crm["contract_amendments"]:
        by_contract[a["contract_id"]].append(a)
    rows = defaultdict(list)
    for t in inbox.crm["contract_price_terms"]:
        rows[(t["amendment_id"], t["metric"])].append(t)
    terms = defaultdict(dict)
    for (amendment, metric), tiers in rows.items():
        tiers.sort(key=lambda t: int(t["tier"]))
        terms[amendment][metric] = PriceTerm(
            metric=metric,
            pricing_model=tiers[0]["pricing_model"],
            tiers=tuple(
                Tier(
                    int(t["up_to"]) if t["up_to"] else None,
                    Decimal(t["unit_price"]),
                    Decimal(t["flat_fee"] or 0),
                )
                for t in tiers
            ),
            included_units=int(tiers[0]["included_units"] or 0),
            unit_divisor=int(tiers[0]["unit_divisor"]),
            rounding=tiers[0]["rounding"],
        )
    amendments = {
        sub: sorted(by_contract[c["contract_id"]], key=lambda a: int(a["contract_version"]))
        for sub, c in contract_of.items()
    }
    entity = {sub: c["legal_entity"] for sub, c in contract_of.items()}
    return amendments, terms, entity


def version_at(amendments: list[dict], day: date) -> dict:
    return [a for a in amendments if date.fromisoformat(a["effective_from"]) <= day][-1]


def minor(amount: str, currency: str) -> int:
    return int(Decimal(amount).scaleb(MINOR[currency]))


def recheck(out: Path) -> set[tuple]:
    """Every discrepancy the files show, as (anomaly, mart, status, sorted key items)."""
    inbox = Inbox.read(out)
    world = json.loads((out / "world.json").read_text())
    usage = scan_usage(inbox.root)
    amendments, terms, entity = contract_terms(inbox)
    s = inbox.stripe
    found: set[tuple] = set()

    def flag(anomaly, mart, status, **key):
        found.add((anomaly, mart, status, tuple(sorted(key.items()))))

    for src, eid, file_name, line in usage.redeliveries:
        flag(
            "duplicate_event",
            "ops_usage_duplicates",
            "duplicate_removed",
            event_source=src,
            event_id=eid,
            file_name=file_name,
            line_number=line,
        )
    for file_name, line in usage.conflicts:
        flag(
            "conflicting_duplicate",
            "ops_quarantine",
            "quarantined",
            file_name=file_name,
            line_number=line,
            reason_code="conflicting_duplicate",
        )

    # usage -> billing
    products = {p["id"]: p for p in s["products"]}
    prices = {p["id"]: p for p in s["prices"]}
    invoiced_months = set(world["invoiced_months"])
    invoices = {
        (invoice_subscription(i), utc(i["period_start"]).strftime("%Y-%m")): i
        for i in s["invoices"]
    }
    subs = {x["id"] for x in s["subscriptions"]}
    rows = {k for k in (*usage.metered, *usage.late) if k[1] in invoiced_months}
    for sub, month, metric in sorted(rows):
        key = {"subscription_id": sub, "metric": metric, "billing_period": month}
        if sub not in subs:
            flag("unknown_subscription", "rec_usage_billing", "unmapped", **key)
        elif (sub, month) not in invoices:
            flag("missing_invoice", "rec_usage_billing", "missing_invoice", **key)
        elif usage.late.get((sub, month, metric)):
            flag("late_usage", "rec_usage_billing", "late_usage", **key)
    for (sub, month), invoice in invoices.items():
        currency = invoice["currency"]
        period_end = utc(invoice["period_end"])
        last_day = (period_end - timedelta(days=1)).date()
        closing = version_at(amendments[sub], last_day)
        lines = invoice["lines"]["data"]
        metric_lines = defaultdict(list)
        fee_lines, true_up = [], 0
        for line in lines:
            product = products[prices[line_price(line)]["product"]]
            if product["metadata"]["metric"]:
                metric_lines[product["metadata"]["metric"]].append(line)
            elif product["metadata"]["sku"] == "SKU-MIN-COMMIT":
                true_up += line["amount"]
            else:
                fee_lines.append(line["amount"])
        for metric in ("api_calls", "storage_bytes", "seats"):
            technical = usage.metered.get((sub, month, metric), 0)
            if not technical:
                assert metric not in metric_lines
                continue
            # split at a plan change (Stripe): one line per version with usage, in version order
            parts = sorted(
                (version, quantity)
                for (s_, m_, k_, version), quantity in usage.by_version.items()
                if (s_, m_, k_) == (sub, month, metric) and quantity
            )
            assert len(metric_lines[metric]) == len(parts), (invoice["id"], metric)
            key = {"subscription_id": sub, "metric": metric, "billing_period": month}
            for line, (version, part) in zip(metric_lines[metric], parts, strict=True):
                [amendment] = [a for a in amendments[sub] if int(a["contract_version"]) == version]
                term = terms[amendment["amendment_id"]][metric]
                quantity = rating.commercial_quantity(part, term.unit_divisor, term.rounding)
                if line["quantity"] < quantity:
                    flag("underbilled_quantity", "rec_usage_billing", "unbilled_usage", **key)
                elif line["quantity"] > quantity:
                    flag("overbilled_quantity", "rec_usage_billing", "overbilled", **key)
                elif line["amount"] != rating.usage_amount(quantity, term, currency.upper()):
                    flag("price_mismatch", "rec_usage_billing", "price_mismatch", **key)
        # platform fee: the opening version's full fee, then a credit and a charge per change
        period_start = utc(invoice["period_start"])
        seconds = int((period_end - period_start).total_seconds())
        opening = version_at(amendments[sub], period_start.date())
        expected = [minor(opening["platform_fee"], currency)]
        previous = opening
        for version in amendments[sub][1:]:
            starts = datetime.combine(
                date.fromisoformat(version["effective_from"]), datetime.min.time()
            )
            if period_start < starts < period_end:
                remaining = int((period_end - starts).total_seconds())
                for sign, v in ((-1, previous), (1, version)):
                    fee = Decimal(v["platform_fee"])
                    expected.append(
                        sign * rating.prorate(fee, remaining, seconds, currency.upper())
                    )
                previous = version
        assert fee_lines == expected, invoice["id"]
        lines_total = sum(fee_lines) + sum(x["amount"] for ls in metric_lines.values() for x in ls)
        commitment = minor(closing["minimum_commitment"], currency)
        assert true_up == max(0, commitment - lines_total), invoice["id"]
        # the invoice adds up
        tax = (
            invoice["tax"] if "tax" in invoice else sum(t["amount"] for t in invoice["total_taxes"])
        )
        assert sum(x["amount"] for x in lines) == invoice["subtotal"]
        assert tax == rating.tax_amount(invoice["subtotal"], TAX_RATES[entity[sub]])
        assert invoice["subtotal"] + tax == invoice["total"] == invoice["amount_due"]
        assert invoice["amount_paid"] + invoice["amount_remaining"] == invoice["amount_due"]
        assert all(x["currency"] == currency for x in lines)

    # billing -> ERP: live rows only (a row flagged deleted, or a transaction in the deletion
    # extract, is not posted); every transaction type is there, the journals are ours
    deleted = {row["id"] for row in inbox.erp["transaction_deleted"]}
    tx = {
        t["id"]: t
        for t in inbox.erp["transaction"]
        if t["_fivetran_deleted"] == "F" and t["id"] not in deleted
    }
    tal = defaultdict(list)
    for row in inbox.erp["transactionaccountingline"]:
        if row["_fivetran_deleted"] == "F":
            tal[row["transaction"]].append(row)
    tl = defaultdict(list)
    for row in inbox.erp["transactionline"]:
        if row["_fivetran_deleted"] == "F":
            tl[row["transaction"]].append(row)
    accounts = {a["id"]: a["acctnumber"] for a in inbox.erp["account"]}
    periods = {p["id"]: p for p in inbox.erp["accountingperiod"]}
    by_external = defaultdict(list)
    for t in tx.values():
        if t["type"] == "Journal":
            by_external[t["externalid"]].append(t)
        debit = sum(Decimal(r["debit"] or 0) for r in tal[t["id"]])
        credit = sum(Decimal(r["credit"] or 0) for r in tal[t["id"]])
        assert debit == credit and debit > 0, t["externalid"]
        assert sum(Decimal(r["foreignamount"]) for r in tl[t["id"]]) == 0, t["externalid"]
        assert all(not (r["debit"] and r["credit"]) for r in tal[t["id"]])
        for line, acc in zip(tl[t["id"]], tal[t["id"]], strict=True):
            if accounts[acc["account"]] == "7990":  # rounding: functional currency only
                assert Decimal(line["foreignamount"]) == 0
        own = next(p for p in periods.values() if p["startdate"] <= t["trandate"] <= p["enddate"])
        posted = periods[t["postingperiod"]]
        if own["closed"] == "T":
            assert posted["closed"] == "F" and posted["startdate"] > own["enddate"]
            source = t["externalid"].split("-", 2)[2]
            flag("closed_period_posting", "journal_lines", "moved_to_open_period", source_id=source)
        else:
            assert posted is own

    def foreign(t: dict, account: str) -> Decimal:
        return sum(
            Decimal(line["foreignamount"])
            for line, acc in zip(tl[t["id"]], tal[t["id"]], strict=True)
            if accounts[acc["account"]] == account
        )

    customers = {c["id"]: c for c in s["customers"]}
    for invoice in s["invoices"]:
        external = f"U2C-INV-{invoice['id']}"
        journals = by_external.get(external, [])
        key = {"document_id": invoice["id"]}
        if not journals:
            assert invoice["status"] == "open"
            flag("invoice_missing_in_erp", "rec_billing_erp", "missing_in_erp", **key)
            flag("invoice_missing_in_erp", "rec_exports_erp", "not_in_erp", external_id=external)
        elif len(journals) > 1:
            flag("invoice_posted_twice", "rec_billing_erp", "duplicate_in_erp", **key)
            flag("invoice_posted_twice", "rec_exports_erp", "posted_twice", external_id=external)
        elif minor(str(foreign(journals[0], "1200")), invoice["currency"]) != invoice["total"]:
            flag("erp_amount_mismatch", "rec_billing_erp", "amount_mismatch", **key)
            flag("erp_amount_mismatch", "rec_exports_erp", "amount_mismatch", external_id=external)
    # an invoice in a currency the ERP has no rate for into its entity's functional currency
    # (neither, nor USD): the first per entity and currency posted as sent is converted via USD
    currency_of = {c["id"]: c["symbol"] for c in inbox.erp["currency"]}
    subsidiaries = {x["id"]: x for x in inbox.erp["subsidiary"]}
    direct = {
        (r["postingperiod"], currency_of[r["fromcurrency"]], currency_of[r["tocurrency"]])
        for r in inbox.erp["consolidatedexchangerate"]
    }
    flagged_documents = {
        dict(key)["document_id"] for *_, key in found if "document_id" in dict(key)
    }
    crossed: set[tuple[str, str]] = set()
    for t in sorted(tx.values(), key=lambda t: (t["trandate"], t["externalid"])):
        invoice_id = t["externalid"].removeprefix("U2C-INV-")
        subsidiary = subsidiaries[tl[t["id"]][0]["subsidiary"]]
        currency, functional = currency_of[t["currency"]], currency_of[subsidiary["currency"]]
        own = next(p for p in periods.values() if p["startdate"] <= t["trandate"] <= p["enddate"])
        if (
            t["type"] != "Journal"
            or not t["externalid"].startswith("U2C-INV-")
            or invoice_id in flagged_documents
            or currency in (functional, "USD")
            or (t["postingperiod"], currency, functional) in direct
            or own["closed"] == "T"
            or (subsidiary["tranprefix"], currency) in crossed
        ):
            continue
        crossed.add((subsidiary["tranprefix"], currency))
        if not world["clean"]:  # the clean world has the document, its answer key no entries
            flag("cross_rate_conversion", "journal_lines", "ready", source_id=invoice_id)
    # revenue accrual: the first U2C-ACCR journal with a reversal (U2C-ACCR-REV, when the invoices
    # post) of the same entity and currency; the reversal swaps the accrual's sides account by
    # account (one accrual period in these worlds)
    accrual_ids = sorted(e for e in by_external if e.startswith("U2C-ACCR-"))
    for external in (e for e in accrual_ids if not e.startswith("U2C-ACCR-REV-")):
        [accrual] = by_external[external]
        entity, currency = external.removeprefix("U2C-ACCR-").split("-")[0], external[-3:]
        reversals = [
            e
            for e in accrual_ids
            if e.startswith(f"U2C-ACCR-REV-{entity}-")
            and e.endswith(f"-{currency}")
            and by_external[e][0]["trandate"] > accrual["trandate"]
        ]
        if not reversals:
            continue
        [reversal] = by_external[reversals[0]]
        accrued = {
            a: foreign(accrual, a) for a in {accounts[r["account"]] for r in tal[accrual["id"]]}
        }
        reversed_ = {
            a: foreign(reversal, a) for a in {accounts[r["account"]] for r in tal[reversal["id"]]}
        }
        assert {a: -v for a, v in accrued.items() if a != "7990"} == {
            a: v for a, v in reversed_.items() if a != "7990"
        }
        assert accrued["1250"] > 0
        if not world["clean"]:
            source = external.removeprefix("U2C-ACCR-")
            flag("revenue_accrual", "journal_lines", "ready", source_id=source)
            source = reversals[0].removeprefix("U2C-ACCR-REV-")
            flag("revenue_accrual_reversal", "journal_lines", "ready", source_id=source)
        break
    known = {f"U2C-INV-{i['id']}" for i in s["invoices"]}
    for external in by_external:
        if external.startswith("U2C-INV-") and external not in known:
            flag(
                "unknown_erp_posting",
                "rec_billing_erp",
                "unknown_in_billing",
                document_id=external.removeprefix("U2C-INV-"),
            )
    for note in s["credit_notes"]:
        journals = by_external.get(f"U2C-CN-{note['id']}", [])
        if not journals:
            flag("credit_note_not_reversed", "rec_adjustments_erp", "not_reversed",
                 adjustment_id=note["id"])  # fmt: skip
            flag("credit_note_not_reversed", "rec_billing_erp", "missing_in_erp",
                 document_id=note["id"])  # fmt: skip
            flag("credit_note_not_reversed", "rec_exports_erp", "not_in_erp",
                 external_id=f"U2C-CN-{note['id']}")  # fmt: skip
        else:
            [journal] = journals
            assert minor(str(-foreign(journal, "1200")), note["currency"]) == note["total"]
    for charge in s["charges"]:
        [journal] = by_external[f"U2C-PAY-{charge['id']}"]
        paying = customers[charge["customer"]]["metadata"]["netsuite_customer_id"]
        if foreign(journal, "2050"):
            flag("payment_unapplied", "rec_payments_cash", "unapplied", payment_id=charge["id"])
            flag("payment_unapplied", "rec_exports_erp", "account_mismatch",
                 external_id=f"U2C-PAY-{charge['id']}")  # fmt: skip
        elif journal["entity"] != paying:
            flag("payment_misapplied", "rec_payments_cash", "misapplied", payment_id=charge["id"])
        assert foreign(journal, "1150") == Decimal(charge["amount"]).scaleb(
            -MINOR[charge["currency"]]
        )
        if (fx := realized_fx(inbox, charge)) is not None:
            flag("realized_fx", "journal_lines", "ready", source_id=charge["id"])
            assert fx["posting_period"] != fx["invoice_period"]
    # every processor fee is posted as its journal, but the one the ERP never got
    for txn in s["balance_transactions"]:
        if txn["fee"] and f"U2C-FEE-{txn['id']}" not in by_external:
            flag("export_not_posted", "rec_exports_erp", "not_in_erp",
                 external_id=f"U2C-FEE-{txn['id']}")  # fmt: skip
    for refund in s["refunds"]:
        if f"U2C-REF-{refund['id']}" not in by_external:
            flag("refund_not_recorded", "rec_payments_cash", "missing_in_erp",
                 payment_id=refund["id"])  # fmt: skip
            flag("refund_not_recorded", "rec_exports_erp", "not_in_erp",
                 external_id=f"U2C-REF-{refund['id']}")  # fmt: skip
    # usage -> Stripe meter: per customer x period, the day sums reported against the requests
    customer_of = {x["id"]: x["customer"] for x in s["subscriptions"]}
    measured, reported = defaultdict(int), defaultdict(int)
    for event in usage.events:
        if event["type"] == "com.example.api.requests" and event["subject"] in customer_of:
            key = (customer_of[event["subject"]], event["time"][:7])
            measured[key] += event["data"]["requests"]
    for e in s["meter_events"]:
        month = datetime.fromtimestamp(e["timestamp"], UTC).strftime("%Y-%m")
        reported[(e["payload"]["stripe_customer_id"], month)] += int(e["payload"]["value"])
    for customer, month in sorted(set(measured) | set(reported)):
        if reported[(customer, month)] < measured[(customer, month)]:
            flag("usage_not_metered_in_stripe", "rec_usage_meters", "unbilled_usage",
                 customer_id=customer, stripe_event_name="api_requests",
                 billing_period=month)  # fmt: skip
    return found


def realized_fx(inbox: Inbox, charge: dict) -> dict | None:
    """The realized FX journal of a payment, from the files alone: its amount at the ERP's
    average rate of the invoice's finalization period less at the payment's period, each
    rounded half-even to the functional currency's minor unit (the journal_lines rule)."""
    invoice_id = charge_invoice(inbox.stripe, charge)
    invoice = next(i for i in inbox.stripe["invoices"] if i["id"] == invoice_id)
    contract = next(
        c
        for c in inbox.crm["contracts"]
        if c["billing_subscription_id"] == invoice_subscription(invoice)
    )
    currency_of = {c["id"]: c["symbol"] for c in inbox.erp["currency"]}
    subsidiary = next(
        x for x in inbox.erp["subsidiary"] if x["tranprefix"] == contract["legal_entity"]
    )
    functional, currency = currency_of[subsidiary["currency"]], invoice["currency"].upper()
    if functional == currency:
        return None

    def period(moment: int) -> dict:
        day = utc(moment).date().isoformat()
        return next(
            p for p in inbox.erp["accountingperiod"] if p["startdate"] <= day <= p["enddate"]
        )

    booked = period(invoice["status_transitions"]["finalized_at"])
    paid = period(charge["created"])
    amount = Decimal(charge["amount"]).scaleb(-MINOR[charge["currency"]])
    difference = erp_convert(inbox, amount, currency, functional, booked) - erp_convert(
        inbox, amount, currency, functional, paid
    )
    if not difference:
        return None
    size, loss = abs(difference), difference > 0
    return {
        "journal_id": f"U2C-FX-{charge['id']}",
        "legal_entity": contract["legal_entity"],
        "posting_period": paid["startdate"][:7],
        "invoice_period": booked["startdate"][:7],
        "currency": functional,
        "lines": [
            {"account": "1200", "debit": 0 if loss else size, "credit": size if loss else 0},
            {"account": "7900", "debit": size if loss else 0, "credit": 0 if loss else size},
        ],
    }


def erp_convert(inbox: Inbox, amount: Decimal, source: str, target: str, posting: dict) -> Decimal:
    """`amount` at the ERP's average rate of `posting` (the row of the lowest id), rounded
    half-even to the target's minor unit; a pair without a row through USD, both legs multiplied
    before the one rounding."""
    currency_of = {c["id"]: c["symbol"] for c in inbox.erp["currency"]}

    def rate(a: str, b: str) -> Decimal | None:
        rows = [
            r
            for r in inbox.erp["consolidatedexchangerate"]
            if r["postingperiod"] == posting["id"]
            and currency_of[r["fromcurrency"]] == a
            and currency_of[r["tocurrency"]] == b
        ]
        return Decimal(min(rows, key=lambda r: int(r["id"]))["averagerate"]) if rows else None

    exact = amount * (rate(source, target) or rate(source, "USD") * rate("USD", target))
    return exact.quantize(Decimal(1).scaleb(-MINOR[target.lower()]), ROUND_HALF_EVEN)


def answer_key(out: Path) -> list[dict]:
    return json.loads((out / "answer_key.json").read_text())


def as_rows(key: list[dict]) -> set[tuple]:
    return {(e["anomaly"], e["mart"], e["status"], tuple(sorted(e["key"].items()))) for e in key}


# --- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("faulty")
    generate(GenerateOptions(out=out, **SMALL))
    return out


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("clean")
    generate(GenerateOptions(out=out, clean=True, **SMALL))
    return out


def snapshot(out: Path) -> dict[str, tuple[bytes, float]]:
    return {
        str(p.relative_to(out)): (p.read_bytes(), p.stat().st_mtime)
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


# --- determinism, options -----------------------------------------------------------------------


def test_same_options_give_byte_identical_files(faulty: Path, tmp_path: Path):
    again = tmp_path / "again"
    generate(GenerateOptions(out=again, **SMALL))
    assert snapshot(again) == snapshot(faulty)
    # and generating over an existing world is the same as generating afresh
    generate(GenerateOptions(out=again, **SMALL))
    assert snapshot(again) == snapshot(faulty)


def test_another_seed_gives_another_world(faulty: Path, tmp_path: Path):
    other = tmp_path / "other"
    generate(GenerateOptions(out=other, **{**SMALL, "seed": 6}))
    assert (
        snapshot(other)["inbox/billing/invoices.jsonl"]
        != snapshot(faulty)["inbox/billing/invoices.jsonl"]
    )


def test_clean_world_has_an_empty_answer_key_and_nothing_to_find(clean: Path):
    assert answer_key(clean) == []
    assert recheck(clean) == set()
    summary = json.loads((clean / "world.json").read_text())
    assert summary["usage"]["exact_redeliveries"] == 0
    assert summary["usage"]["conflicting_duplicates"] == 0
    assert summary["usage"]["late_events"] == summary["usage"]["unknown_subscription_events"] == 0
    assert not list((clean / "inbox" / "usage").glob("events_late_*"))
    assert summary["plan_changes"] >= 1  # business as usual stays: plan changes, credit notes
    assert summary["counts"]["billing/credit_notes"] >= 1


def test_usage_files_have_no_leftovers_from_an_earlier_world(tmp_path: Path):
    generate(GenerateOptions(out=tmp_path, **SMALL))
    generate(GenerateOptions(out=tmp_path, clean=True, **{**SMALL, "days": 40}))
    names = sorted(p.name for p in (tmp_path / "inbox" / "usage").iterdir())
    assert len(names) == 40 and names[-1] == "events_2026-09-09.jsonl"


def test_a_world_without_invoices_still_generates(tmp_path: Path):
    generate(GenerateOptions(out=tmp_path, seed=3, customers=3, days=3, events_per_day=50))
    summary = json.loads((tmp_path / "world.json").read_text())
    assert summary["invoiced_months"] == [] and summary["counts"]["billing/invoices"] == 0
    assert "late_usage" in summary["skipped_anomalies"]
    assert {e["anomaly"] for e in answer_key(tmp_path)} <= {
        "duplicate_event",
        "conflicting_duplicate",
    }


# --- the answer key -----------------------------------------------------------------------------


def test_answer_key_is_exactly_what_the_files_show(faulty: Path):
    key = answer_key(faulty)
    assert len(as_rows(key)) == len(key)  # no entry twice
    assert as_rows(key) == recheck(faulty)


def test_every_anomaly_of_the_spec_is_injected(faulty: Path):
    counts = json.loads((faulty / "world.json").read_text())["answer_key"]
    assert set(counts) == {
        "duplicate_event", "conflicting_duplicate", "late_usage", "unknown_subscription",
        "underbilled_quantity", "overbilled_quantity", "price_mismatch", "missing_invoice",
        "invoice_missing_in_erp", "invoice_posted_twice", "erp_amount_mismatch",
        "unknown_erp_posting", "credit_note_not_reversed", "payment_unapplied",
        "payment_misapplied", "refund_not_recorded", "closed_period_posting", "realized_fx",
        "usage_not_metered_in_stripe",
        "cross_rate_conversion", "revenue_accrual", "revenue_accrual_reversal", "export_not_posted",
    }  # fmt: skip
    assert counts["credit_note_not_reversed"] == 3  # rec_adjustments, rec_billing, rec_exports
    assert 1 <= counts["conflicting_duplicate"] <= 2
    events = json.loads((faulty / "world.json").read_text())["usage"]["events"]
    # the two extra files (test_extra_deliveries_arrive_out_of_name_order) add a copy per line
    extra = sum(
        len(p.read_text().splitlines())
        for pattern in ("*-redelivery.jsonl", "*_intraday.jsonl")
        for p in (faulty / "inbox" / "usage").glob(pattern)
    )
    assert extra > 0
    assert 0.003 < (counts["duplicate_event"] - extra) / events < 0.007


def test_answer_key_ids_exist_in_the_files(faulty: Path):
    inbox = Inbox.read(faulty)
    s = inbox.stripe
    ids = {o.get("id", o.get("identifier")) for name in STRIPE_FILES for o in s[name]}
    unknown_sub = [e for e in answer_key(faulty) if e["anomaly"] == "unknown_subscription"]
    unknown_doc = [e for e in answer_key(faulty) if e["anomaly"] == "unknown_erp_posting"]
    usage_subs = {e["subject"] for e in scan_usage(inbox.root).events}
    externals = {t["externalid"] for t in inbox.erp["transaction"]}
    for e in answer_key(faulty):
        key = e["key"]
        if "file_name" in key:
            lines = (inbox.root / "usage" / key["file_name"]).read_text().splitlines()
            assert 1 <= key["line_number"] <= len(lines)
            if "event_id" in key:
                assert json.loads(lines[key["line_number"] - 1])["id"] == key["event_id"]
        if "subscription_id" in key:
            assert key["subscription_id"] in usage_subs
            assert (key["subscription_id"] in ids) is (e not in unknown_sub)
        if e["anomaly"] in ("revenue_accrual", "revenue_accrual_reversal"):
            # a journal of its own: its source id is entity-period-currency, its External ID in
            # the ERP extract
            prefix = "U2C-ACCR-REV-" if e["anomaly"].endswith("reversal") else "U2C-ACCR-"
            assert prefix + key["source_id"] in externals
            continue
        for column in ("document_id", "adjustment_id", "payment_id", "source_id"):
            if column in key:
                assert (key[column] in ids) is (e not in unknown_doc)
    [fake] = unknown_doc
    assert f"U2C-INV-{fake['key']['document_id']}" in externals


def test_conflicts_come_after_their_original_and_the_original_is_billed(faulty: Path):
    conflicts = [e["key"] for e in answer_key(faulty) if e["anomaly"] == "conflicting_duplicate"]
    usage = scan_usage(faulty / "inbox")
    assert {(k["file_name"], k["line_number"]) for k in conflicts} == usage.conflicts
    for k in conflicts:
        text = (faulty / "inbox" / "usage" / k["file_name"]).read_text().splitlines()
        event = json.loads(text[k["line_number"] - 1])
        file_name, _, requests = usage.first[(event["source"], event["id"])]
        assert file_name < k["file_name"]  # delivered first, in an earlier day's file
        assert requests != event["data"]["requests"]
        # the original's month is invoiced, so the first delivery is the one billed
        assert (
            event["time"][:7] in json.loads((faulty / "world.json").read_text())["invoiced_months"]
        )


# --- files, shapes, delivery times --------------------------------------------------------------


def test_csv_headers_are_the_specs(faulty: Path):
    for name, header in CSV_HEADERS.items():
        with open(faulty / "inbox" / name, newline="") as fh:
            assert next(csv.reader(fh)) == header.split(), name


def test_every_row_passes_its_landing_contract(faulty: Path):
    inbox = faulty / "inbox"
    checked = 0
    for path in sorted(p for p in inbox.rglob("*") if p.is_file()):
        contract = next(c for c in CONTRACTS if c.system == path.parent.name and c.matches(path))
        for _line, parsed, payload in contract.reader(path):
            assert not isinstance(parsed, Rejection), (path.name, payload, parsed)
            try:
                contract.validate(parsed)
            except Rejection as exc:  # pragma: no cover - the message is the point
                pytest.fail(f"{path.name}: {exc}\n{payload[:500]}")
            checked += 1
    assert checked > 1000


def test_usage_events_are_a_products_not_billing_records(faulty: Path):
    """Nothing in an event names a metric, a plan or a contract version: the meters read the
    product's own properties, and every event type the world emits is one a meter reads."""
    usage = scan_usage(faulty / "inbox")
    seed = DBT_SEEDS / "meters.csv"
    with open(seed, newline="") as fh:
        meter_types = {row["event_type"] for row in csv.DictReader(fh)}
    types = {event["type"] for event in usage.events}
    assert types == set(EVENT_TYPES.values()) <= meter_types
    for event in usage.events:
        assert not {"metric", "quantity", "plan_tier", "contract_version"} & set(event["data"])
    # each aggregation has something to do: repeated users, peaks, errors to count
    assert any(isinstance(v, int) and v > 0 for k, v in usage.metered.items() if k[2] == "seats")
    assert sum(usage.errors.values()) > 0
    roles = {event["data"].get("role") for event in usage.events}
    assert "viewer" in roles  # filtered out by the seats meter
    for path in sorted((faulty / "inbox" / "usage").glob("*.jsonl"))[:3]:
        for text in path.read_text().splitlines():
            validate_event(json.loads(text, parse_float=Decimal))


def test_the_stripe_meter_gets_every_day_but_the_planned_gap(faulty: Path):
    """The company reports each subscription's API requests per day to its Stripe meter: the
    sum of the day's first deliveries (late ones included); one day is never reported."""
    usage = scan_usage(faulty / "inbox")
    inbox = Inbox.read(faulty)
    customer_of = {s["id"]: s["customer"] for s in inbox.stripe["subscriptions"]}
    product = defaultdict(int)
    for event in usage.events:
        if event["type"] == "com.example.api.requests" and event["subject"] in customer_of:
            key = (customer_of[event["subject"]], event["time"][:10])
            product[key] += event["data"]["requests"]
    stripe = {}
    for e in jsonl(faulty / "inbox" / "billing" / "meter_events.jsonl"):
        day = datetime.fromtimestamp(e["timestamp"], UTC).date().isoformat()
        stripe[(e["payload"]["stripe_customer_id"], day)] = int(e["payload"]["value"])
    missing = set(product) - set(stripe)
    assert len(missing) == 1 and all(stripe[k] == product[k] for k in stripe)
    [(customer, day)] = missing
    [entry] = [e for e in answer_key(faulty) if e["anomaly"] == "usage_not_metered_in_stripe"]
    assert entry["key"] == {
        "customer_id": customer, "stripe_event_name": "api_requests", "billing_period": day[:7],
    }  # fmt: skip


def test_delivery_times(faulty: Path):
    summary = json.loads((faulty / "world.json").read_text())
    extracted = datetime.fromisoformat(summary["extracted_at"].removesuffix("Z"))
    for path in (faulty / "inbox").rglob("*"):
        if not path.is_file():
            continue
        if path.parent.name != "usage":
            assert mtime(path) == extracted, path.name
        elif path.name.endswith(("-redelivery.jsonl", "_intraday.jsonl")):
            continue  # test_extra_deliveries_arrive_out_of_name_order
        elif path.name.startswith("events_late_"):
            delivered = date.fromisoformat(path.name[12:22])
            assert mtime(path) == datetime.combine(delivered, datetime.min.time()) + timedelta(
                hours=1
            )
            events = [json.loads(x) for x in path.read_text().splitlines()]
            year, month = map(int, max(e["time"][:7] for e in events).split("-"))
            finalized = datetime(year + month // 12, month % 12 + 1, 1, 2)  # M+1-01 02:00
            assert mtime(path) > finalized
        else:
            day = date.fromisoformat(path.name[7:17])
            assert mtime(path) == datetime.combine(
                day + timedelta(days=1), datetime.min.time()
            ) + timedelta(hours=1)


def test_extra_deliveries_arrive_out_of_name_order(faulty: Path):
    """The re-delivered file sorts before its day file but arrives after the month's invoice
    was finalized; the intra-day extract sorts after its day file but arrives first. Each holds
    exact copies of one subscription's events of that day, and the answer key names the copies
    delivered later as the duplicates."""
    folder = faulty / "inbox" / "usage"
    [redelivery] = folder.glob("events_*-redelivery.jsonl")
    [intraday] = folder.glob("events_*_intraday.jsonl")
    duplicates = {
        (e["key"]["file_name"], e["key"]["line_number"])
        for e in answer_key(faulty)
        if e["anomaly"] == "duplicate_event"
    }
    for extra, arrives_first in ((redelivery, False), (intraday, True)):
        day_file = folder / f"{extra.name[:17]}.jsonl"
        assert (extra.name < day_file.name) is not arrives_first
        assert (mtime(extra) < mtime(day_file)) is arrives_first
        day_lines = day_file.read_text().splitlines()
        copies = extra.read_text().splitlines()
        assert copies and len({json.loads(c)["subject"] for c in copies}) == 1
        for number, text in enumerate(copies, start=1):
            original = day_lines.index(text) + 1
            later = (extra.name, number) if not arrives_first else (day_file.name, original)
            assert later in duplicates
    month = redelivery.name[7:14]
    year, mm = map(int, month.split("-"))
    assert mtime(redelivery) > datetime(year + mm // 12, mm % 12 + 1, 1, 2)  # after finalization


def test_the_answer_keys_realized_fx_journal_is_what_the_files_give(faulty: Path):
    """A foreign-currency invoice paid a month after it was finalized realizes FX: the answer
    key's expected journal equals the one recomputed from the Stripe and ERP files alone."""
    [entry] = [e for e in answer_key(faulty) if e["anomaly"] == "realized_fx"]
    inbox = Inbox.read(faulty)
    [charge] = [c for c in inbox.stripe["charges"] if c["id"] == entry["key"]["source_id"]]
    found = realized_fx(inbox, charge)
    assert found is not None
    expected = entry["expected"]
    lines = [
        {"account": x["account"], "debit": Decimal(x["debit"]), "credit": Decimal(x["credit"])}
        for x in expected["lines"]
    ]
    assert lines == found["lines"]
    for field_name in (
        "journal_id",
        "legal_entity",
        "posting_period",
        "invoice_period",
        "currency",
    ):
        assert expected[field_name] == found[field_name], field_name
    assert expected["currency"] != charge["currency"].upper()


def test_the_answer_keys_cross_rate_journals_are_what_the_files_give(faulty: Path):
    """An invoice in a currency the ERP has no rate for into its entity's functional currency
    (EUR in UK01): the answer key's lines are the invoice journal's foreign amounts, each
    converted through USD from the ERP's two rates and rounded once; the journal balances in the
    functional currency with the rounding line."""
    entries = [e for e in answer_key(faulty) if e["anomaly"] == "cross_rate_conversion"]
    assert entries
    inbox = Inbox.read(faulty)
    for entry in entries:
        expected = entry["expected"]
        assert expected["currency"] not in (expected["functional_currency"], "USD")
        [posting] = [
            p
            for p in inbox.erp["accountingperiod"]
            if p["startdate"][:7] == expected["posting_period"]
        ]
        functional = Decimal(0)
        for line in expected["lines"]:
            converted = erp_convert(
                inbox,
                Decimal(line["amount"]),
                expected["currency"],
                expected["functional_currency"],
                posting,
            )
            if line["account"] != "7990":
                assert Decimal(line["functional_amount"]) == converted, line
            functional += Decimal(line["functional_amount"])
        assert functional == 0


def test_stripe_ids_cross_reference(faulty: Path):
    inbox = Inbox.read(faulty)
    s = inbox.stripe
    ids = {name: {o.get("id", o.get("identifier")) for o in s[name]} for name in STRIPE_FILES}
    for name in STRIPE_FILES:
        assert len(ids[name]) == len(s[name]), name
    assert all(p["product"] in ids["products"] for p in s["prices"])
    for sub in s["subscriptions"]:
        assert sub["customer"] in ids["customers"]
        assert all(i["price"]["id"] in ids["prices"] for i in sub["items"]["data"])
    invoice_by_id = {i["id"]: i for i in s["invoices"]}
    for invoice in s["invoices"]:
        assert invoice["customer"] in ids["customers"]
        assert invoice_subscription(invoice) in ids["subscriptions"]
        assert all(line_price(x) in ids["prices"] for x in invoice["lines"]["data"])
    for charge in s["charges"]:
        invoice_id = charge_invoice(s, charge)
        assert invoice_id in ids["invoices"]
        assert charge["customer"] == invoice_by_id[invoice_id]["customer"]
        assert charge["balance_transaction"] in ids["balance_transactions"]
        assert charge["amount"] == invoice_by_id[invoice_id]["amount_paid"]
        # the 2025-03-31 layout: no `invoice` on the charge, an invoice payment instead
        new_layout = "parent" in invoice_by_id[invoice_id]
        assert ("invoice" in charge) is not new_layout
    refunded = defaultdict(int)
    for refund in s["refunds"]:
        assert refund["charge"] in ids["charges"]
        assert refund["balance_transaction"] in ids["balance_transactions"]
        refunded[refund["charge"]] += refund["amount"]
    for charge in s["charges"]:
        assert charge["amount_refunded"] == refunded[charge["id"]]
    line_ids = {x["id"] for i in s["invoices"] for x in i["lines"]["data"]}
    for note in s["credit_notes"]:
        assert note["invoice"] in ids["invoices"]
        assert note_refunds(note) and set(note_refunds(note)) <= ids["refunds"]
        assert sum(x["amount"] for x in note["lines"]["data"]) == note["subtotal"]
        assert note["total"] == note["amount"]
        assert all(x["invoice_line_item"] in line_ids for x in note["lines"]["data"])
    for txn in s["balance_transactions"]:
        assert txn["source"] in ids["charges"] | ids["refunds"]
        assert txn["net"] == txn["amount"] - txn["fee"]
    fx = [t for t in s["balance_transactions"] if t["exchange_rate"] is not None]
    assert fx  # the USD-billed customers of the EUR entity settle in EUR
    # CRM <-> Stripe <-> NetSuite
    accounts = {a["account_id"]: a for a in inbox.crm["accounts"]}
    ns_customers = {c["id"]: c for c in inbox.erp["customer"]}
    for customer in s["customers"]:
        account = accounts[customer["metadata"]["crm_account_id"]]
        assert account["stripe_customer_id"] == customer["id"]
        ns = ns_customers[customer["metadata"]["netsuite_customer_id"]]
        assert ns["externalid"] == account["account_id"] == customer["metadata"]["crm_account_id"]
        assert account["netsuite_customer_id"] == ns["id"]
    contracts = {c["contract_id"]: c for c in inbox.crm["contracts"]}
    for sub in s["subscriptions"]:
        assert contracts[sub["metadata"]["crm_contract_id"]]["billing_subscription_id"] == sub["id"]


def test_both_invoice_layouts_half_each(faulty: Path):
    invoices = Inbox.read(faulty).stripe["invoices"]
    by_customer = defaultdict(set)
    for invoice in invoices:
        layout = "2025" if "parent" in invoice else "pre_2025"
        by_customer[invoice["customer"]].add(layout)
        lines = invoice["lines"]["data"]
        assert all(("parent" in x) is (layout == "2025") for x in lines)
        assert all(("price" in x) is (layout == "pre_2025") for x in lines)
    assert all(len(v) == 1 for v in by_customer.values())
    layouts = [next(iter(v)) for v in by_customer.values()]
    assert abs(layouts.count("2025") - layouts.count("pre_2025")) <= 1


def test_plan_changes_prorate_on_the_september_invoice(faulty: Path):
    inbox = Inbox.read(faulty)
    prorations = [
        x
        for i in inbox.stripe["invoices"]
        for x in i["lines"]["data"]
        if x.get("proration")
        or x.get("parent", {}).get("subscription_item_details", {}).get("proration")
    ]
    assert prorations and any(x["amount"] < 0 for x in prorations)
    assert all(utc(x["period"]["start"]).month == 9 for x in prorations)
    changes = [
        a
        for a in inbox.crm["contract_amendments"]
        if a["amendment_type"] in ("upgrade", "downgrade")
    ]
    assert {a["amendment_type"] for a in changes} == {"upgrade", "downgrade"}
    assert all(a["business_transaction_id"].startswith("BTX-") for a in changes)
    assert {x["metadata"]["business_transaction_id"] for x in prorations} == {
        a["business_transaction_id"] for a in changes
    }


def test_erp_rounding_lines_and_fx(faulty: Path):
    inbox = Inbox.read(faulty)
    rates = {t["exchangerate"] for t in inbox.erp["transactionaccountingline"]}
    assert rates - {"1"}  # foreign-currency journals exist
    periods = {p["periodname"]: p["closed"] for p in inbox.erp["accountingperiod"]}
    assert periods == {
        "Jul 2026": "T",
        "Aug 2026": "T",
        "Sep 2026": "F",
        "Oct 2026": "F",
        "Nov 2026": "F",
    }
    # usage-to-cash's 13 accounts plus payable and hosting (the vendor bill's), per entity
    assert len(inbox.erp["account"]) == 15 * 4


def test_erp_extract_holds_other_transaction_types_and_deleted_rows(faulty: Path):
    """As a real NetSuite2 sync delivers it: a vendor bill, and deleted copies of journals
    (by the deletion extract and by _fivetran_deleted) that must not count as posted."""
    inbox = Inbox.read(faulty)
    types = {t["type"] for t in inbox.erp["transaction"]}
    assert types == {"Journal", "VendBill"}
    flagged = {t["id"] for t in inbox.erp["transaction"] if t["_fivetran_deleted"] == "T"}
    extracted = {row["id"] for row in inbox.erp["transaction_deleted"]}
    assert len(flagged) == len(extracted) == 1 and not flagged & extracted
    by_id = {t["id"]: t for t in inbox.erp["transaction"]}
    copies = {by_id[i]["externalid"] for i in flagged | extracted}
    assert {e.split("-")[1] for e in copies} == {"INV", "PAY"}
    for external in copies:  # each copy has a live original
        live = [t for t in inbox.erp["transaction"] if t["externalid"] == external]
        assert len(live) == 2
    lines = [r for r in inbox.erp["transactionaccountingline"] if r["transaction"] in flagged]
    assert lines and all(r["_fivetran_deleted"] == "T" for r in lines)


# --- rating: the billing policy -----------------------------------------------------------------


def term(model: str, tiers, included: int = 0, divisor: int = 1, rounding: str = "up") -> PriceTerm:
    return PriceTerm(
        "api_calls",
        model,
        tuple(Tier(up, Decimal(price), Decimal(flat)) for up, price, flat in tiers),
        included,
        divisor,
        rounding,
    )


def test_commercial_quantity_rounds_up_or_down():
    assert rating.commercial_quantity(1001, 1000, "up") == 2
    assert rating.commercial_quantity(1001, 1000, "down") == 1
    assert rating.commercial_quantity(2000, 1000, "up") == 2
    assert rating.commercial_quantity(0, 1000, "up") == 0
    assert rating.commercial_quantity(Decimal("1.5"), 1, "down") == 1


def test_per_unit_with_included_units():
    t = term("per_unit", [(None, "0.50", "0")], included=100)
    assert rating.usage_amount(99, t, "USD") == 0
    assert rating.usage_amount(100, t, "USD") == 0
    assert rating.usage_amount(301, t, "USD") == 100_50  # 201 x 0.50
    assert rating.rate_usage(
        300_001, term("per_unit", [(None, "0.50", "0")], 100, 1000), "USD"
    ) == (301, 100_50)


def test_graduated_prices_each_tier_and_adds_flat_fees_of_tiers_reached():
    t = term(
        "graduated",
        [(1000, "0.40", "0"), (10_000, "0.30", "25"), (None, "0.20", "0")],
        included=200,
    )
    assert rating.usage_amount(200, t, "USD") == 0
    assert rating.usage_amount(1200, t, "USD") == 400_00  # 1000 x 0.40, tier 2 not reached
    assert rating.usage_amount(1201, t, "USD") == 400_00 + 30 + 25_00  # + 1 x 0.30 + flat 25
    # 1000 x 0.40 + 9000 x 0.30 + 25 + 500 x 0.20
    assert rating.usage_amount(10_700, t, "USD") == 400_00 + 2700_00 + 25_00 + 100_00


def test_volume_prices_all_units_at_the_tier_reached():
    t = term("volume", [(10_000, "0.30", "0"), (100_000, "0.22", "50"), (None, "0.15", "0")])
    assert rating.usage_amount(0, t, "USD") == 0
    assert rating.usage_amount(10_000, t, "USD") == 3000_00
    assert rating.usage_amount(10_001, t, "USD") == 2200_22 + 50_00
    assert rating.usage_amount(200_000, t, "USD") == 30_000_00


def test_half_even_rounding_to_the_minor_unit_once():
    t = term("per_unit", [(None, "0.0125", "0")])
    assert rating.usage_amount(1, t, "USD") == 1  # 0.0125 -> 0.01
    assert rating.usage_amount(3, t, "USD") == 4  # 0.0375 -> 0.04
    assert rating.usage_amount(2, t, "USD") == 2  # 0.025 -> 0.02 (even)
    assert rating.usage_amount(6, t, "USD") == 8  # 0.075 -> 0.08 (even)
    assert rating.to_minor(Decimal("2.675"), "USD") == 268
    assert rating.to_minor(Decimal("2.665"), "USD") == 266


def test_jpy_has_no_decimals():
    t = term("per_unit", [(None, "22.5", "0")])
    assert rating.usage_amount(1, t, "JPY") == 22  # 22.5 -> 22
    assert rating.usage_amount(3, t, "JPY") == 68  # 67.5 -> 68
    assert rating.to_major(150000, "JPY") == Decimal("150000")
    assert rating.to_major(12345, "USD") == Decimal("123.45")
    assert rating.tax_amount(15, Decimal("0.10")) == 2  # 1.5 -> 2
    assert rating.tax_amount(25, Decimal("0.10")) == 2  # 2.5 -> 2


def test_proration_by_seconds():
    september = 30 * 86_400
    remaining = 24 * 86_400  # change at 2026-09-07 00:00
    assert rating.prorate(Decimal("99"), remaining, september, "USD") == 79_20
    assert rating.prorate(Decimal("499"), remaining, september, "USD") == 399_20
    assert rating.prorate(Decimal("75000"), 7 * 86_400, september, "JPY") == 17_500
    # 1999 x 1/3 = 666.333.. -> 666.33; one second changes the cents
    assert rating.prorate(Decimal("1999"), 864_000, 2_592_000, "USD") == 666_33
    assert rating.prorate(Decimal("1999"), 864_001, 2_592_000, "USD") == 666_33
    assert rating.prorate(Decimal("1999"), 864_100, 2_592_000, "USD") == 666_41
    with pytest.raises(ValueError):
        rating.prorate(Decimal("1"), september + 1, september, "USD")


def test_minimum_commitment_true_up():
    assert rating.minimum_commitment_true_up(3000_00, Decimal("4000"), "USD") == 1000_00
    assert rating.minimum_commitment_true_up(4500_00, Decimal("4000"), "USD") == 0
    assert rating.minimum_commitment_true_up(0, Decimal("0"), "USD") == 0
    assert rating.minimum_commitment_true_up(500_000, Decimal("600000"), "JPY") == 100_000


def test_tax_allocation_over_lines_adds_up():
    shares = rating.allocate(2001, [10_000, -2_500, 2_505])
    assert sum(shares) == 2001 and shares[1] < 0
    assert rating.allocate(0, [5, 5]) == [0, 0]


def test_erp_conversion_adds_a_rounding_line_when_converted_lines_do_not_sum(tmp_path: Path):
    from demo_world import erp
    from demo_world.calendar import Calendar
    from demo_world.world import build_world

    class HalfRate:
        def average(self, period, source, target):
            return Decimal("0.5")

        def convert(self, period, amount, source, target):
            return (amount * self.average(period, source, target)).quantize(
                Decimal("0.01"), ROUND_HALF_EVEN
            )

    world = build_world(1, 4, Calendar(date(2026, 8, 1), 62))
    journal = erp.Journal(
        external_id="U2C-INV-in_x",
        source_id="in_x",
        kind="invoice",
        trandate=date(2026, 8, 31),
        created=datetime(2026, 10, 1, 5),
        currency="USD",
        subsidiary=3,
        functional_currency="EUR",
        entity=1001,
        memo="",
        lines=[
            erp.JournalLine("1200", Decimal("0.03"), "AR"),
            *(erp.JournalLine("4100", Decimal("-0.01"), "usage") for _ in range(3)),
        ],
    )
    erp._post(world, HalfRate(), journal)
    assert journal.period.name == "Sep 2026"  # Aug is closed: the first open period
    assert [x.functional for x in journal.lines] == [
        Decimal("0.02"),  # 0.015 -> 0.02 (half-even)
        *[Decimal("0.00")] * 3,  # 0.005 -> 0.00
        Decimal("-0.02"),
    ]
    assert journal.lines[-1].account == "7990" and journal.lines[-1].foreign == 0
