"""`u2c generate`: write a consistent, deterministic usage-to-cash world into `<out>/inbox/`.

Five systems, one world (world.py): usage events (usage.py), CRM (crm.py), Stripe billing and
payments (billing.py), NetSuite extracts with usage-to-cash's journals (erp.py); the injected
discrepancies (anomalies.py) and their answer key (`<out>/answer_key.json`), plus a summary
for tests and the demo (`<out>/world.json`). Same options, byte-identical files.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from demo_world import billing as stripe
from demo_world.anomalies import plan_anomalies
from demo_world.answer_key import build_entries, write_answer_key
from demo_world.calendar import Calendar, month_key
from demo_world.crm import COLUMNS as CRM_COLUMNS
from demo_world.crm import build_crm
from demo_world.erp import COLUMNS as ERP_COLUMNS
from demo_world.erp import accrual_journals, build_erp, cross_rate_journals
from demo_world.files import deliver, write_csv, write_jsonl
from demo_world.fx import Rates
from demo_world.meter_events import meter_event_objects
from demo_world.rating import to_major
from demo_world.usage import write_usage
from demo_world.world import build_world
from sources.atomic import atomic_path

DEFAULT_START = date(2026, 8, 1)


@dataclass(frozen=True)
class GenerateOptions:
    out: Path
    seed: int = 7
    days: int = 75
    customers: int = 40
    events_per_day: int = 2_000
    start: date = DEFAULT_START
    clean: bool = False
    gzip: bool = False  # usage day files as .jsonl.gz (a big world's inbox: ~8x smaller)


def generate(options: GenerateOptions, progress: Callable[..., None] | None = None) -> list[Path]:
    """Write the world; return the inbox files written (usage first). `progress(message, done,
    total)` hears what is being written (a big world takes minutes)."""
    say = progress or (lambda *_: None)
    if options.days < 1 or options.customers < 1 or options.events_per_day < 0:
        raise ValueError("days and customers must be at least 1, events_per_day at least 0")
    out = Path(options.out)
    inbox = out / "inbox"
    out.mkdir(parents=True, exist_ok=True)
    calendar = Calendar(options.start, options.days)
    world = build_world(options.seed, options.customers, calendar)
    plan = plan_anomalies(world, options.clean)
    rates = Rates(options.seed, calendar.periods)
    work = Path(tempfile.mkdtemp(prefix=".generate-", dir=out))
    try:
        usage = write_usage(
            world,
            plan,
            inbox / "usage",
            options.events_per_day,
            work,
            on_day=lambda done, days: say(f"usage: {done}/{days} days written", done, days),
            gzipped=options.gzip,
        )
        _remove_stale_usage(inbox / "usage", usage.files)
        say("billing, ERP and CRM extracts")
        billing = stripe.build_billing(world, plan, usage, rates)
        erp = build_erp(world, plan, billing, rates)
        crm = build_crm(world)
        delivered = calendar.extracted_at
        written = list(usage.files)
        extracted_at = calendar.extracted_at
        billing_files = {
            "customers": [stripe.customer_object(world, c) for c in world.customers],
            "subscriptions": [
                stripe.subscription_object(world, plan, billing.book, s)
                for s in world.subscriptions
            ],
            "invoices": [stripe.invoice_object(i) for i in billing.invoices],
            "credit_notes": [stripe.credit_note_object(n) for n in billing.credit_notes],
            "invoice_payments": stripe.invoice_payments(billing.charges),
            "charges": [stripe.charge_object(c) for c in billing.charges],
            "refunds": [stripe.refund_object(r) for r in billing.refunds],
            "balance_transactions": [
                stripe.balance_transaction_object(b, extracted_at)
                for b in billing.balance_transactions
            ],
        }
        billing_files["meter_events"] = meter_event_objects(world, plan, usage)
        # products and prices last: invoices may have added prices (true-ups, stale prices)
        billing_files = {
            "customers": billing_files.pop("customers"),
            "products": list(billing.book.products.values()),
            "prices": list(billing.book.prices.values()),
            **billing_files,
        }
        for table, objects in billing_files.items():
            written.append(write_jsonl(inbox / "billing" / f"{table}.jsonl", objects, delivered))
        for table, rows in crm.items():
            path = inbox / "crm" / f"{table}.csv"
            written.append(write_csv(path, CRM_COLUMNS[table], rows, delivered))
        for table, rows in erp.tables.items():
            path = inbox / "erp" / f"{table}.csv"
            written.append(write_csv(path, ERP_COLUMNS[table], rows, delivered))
        fx = [
            journal
            for invoice in billing.invoices
            if (invoice.subscription.id, month_key(invoice.month)) in plan.late_foreign_payments
            and invoice.charge is not None
            and (journal := stripe.realized_fx(world, rates, invoice.charge)) is not None
        ]
        faulty = {
            f"U2C-INV-{invoice.id}"
            for invoice in billing.invoices
            if (invoice.subscription.id, month_key(invoice.month))
            in plan.unexported_invoices | plan.posted_twice | plan.amount_mismatch
        }
        cross = [] if options.clean else cross_rate_journals(erp, faulty)
        accrued = [] if options.clean else accrual_journals(erp)
        entries = build_entries(plan, usage, billing, fx, cross, accrued, world)
        key_count = write_answer_key(out / "answer_key.json", usage.duplicates_file, entries)
        summary = _summary(options, world, plan, usage, billing, erp, billing_files, crm, key_count)
        summary["answer_key"] = _anomaly_counts(out / "answer_key.json")
        with atomic_path(out / "world.json") as tmp:
            tmp.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
        for path in (out / "answer_key.json", out / "world.json"):
            deliver(path, calendar.extracted_at)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return written


def _remove_stale_usage(folder: Path, keep: list[Path]) -> None:
    """Drop usage files an earlier generation left that this world does not have."""
    kept = {p.name for p in keep}
    for path in (*folder.glob("events_*.jsonl"), *folder.glob("events_*.jsonl.gz")):
        if path.name not in kept:
            path.unlink()


def _anomaly_counts(path: Path) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip().rstrip(",")
            if line.startswith("{"):
                counts[json.loads(line)["anomaly"]] += 1
    return dict(counts)


def _summary(options, world, plan, usage, billing, erp, billing_files, crm, key_count) -> dict:
    calendar = world.calendar
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for invoice in billing.invoices:
        t = totals[invoice.currency]
        t["invoiced"] += invoice.total
        t["tax"] += invoice.tax
        t["paid"] += invoice.total if invoice.charge else 0
        t["open"] += 0 if invoice.charge else invoice.total
    for note in billing.credit_notes:
        totals[note.invoice.currency]["credited"] += note.total
    for refund in billing.refunds:
        totals[refund.charge.invoice.currency]["refunded"] += refund.amount
    counts = {f"billing/{name}": len(objects) for name, objects in billing_files.items()}
    counts.update({f"crm/{name}": len(rows) for name, rows in crm.items()})
    counts.update({f"erp/{name}": len(rows) for name, rows in erp.tables.items()})
    return {
        "seed": options.seed,
        "clean": options.clean,
        "start": calendar.start.isoformat(),
        "end": calendar.day(calendar.days - 1).isoformat(),
        "days": options.days,
        "customers": options.customers,
        "events_per_day": options.events_per_day,
        "extracted_at": calendar.extracted_at.isoformat() + "Z",
        "invoiced_months": [month_key(m) for m in calendar.invoiced_months],
        "accounting_periods": [
            {"id": p.id, "name": p.name, "closed": p.closed} for p in calendar.periods
        ],
        "usage": {
            "files": len(usage.files),
            "lines": usage.lines,
            "events": usage.events,
            "exact_redeliveries": usage.redeliveries,
            "conflicting_duplicates": len(usage.conflicts),
            "late_events": usage.late_events,
            "unknown_subscription_events": usage.unknown_events,
        },
        "subscriptions": len(world.subscriptions),
        "plan_changes": sum(len(s.versions) - 1 for s in world.subscriptions),
        "invoice_lines": sum(len(i.lines) for i in billing.invoices),
        "erp_journals": len(erp.journals),
        "counts": counts,
        "totals": {
            currency: {name: str(to_major(value, currency)) for name, value in sorted(t.items())}
            for currency, t in sorted(totals.items())
        },
        "answer_key_entries": key_count,
        "skipped_anomalies": plan.skipped,
    }
