"""The answer key: one entry per row the pipeline's marts must flag, per the spec's table.

`answer_key.json` (beside inbox/) is a JSON list of {"anomaly", "mart", "status", "key"}, one
entry per line; a realized_fx entry also carries the journal expected (`expected`: journal id,
entity, period, currency, lines with their debit and credit), and so does a
cross_rate_conversion entry (an invoice journal in a currency with no ERP rate into its entity's
functional currency: each line's foreign and functional amount, converted through USD), and
the revenue_accrual and revenue_accrual_reversal entries (a U2C-ACCR journal and the one
reversing it when the invoices post, with their lines).
Re-deliveries can number in the
millions, so usage.py streams their entries to a side file and `write_answer_key` copies them in
first, in file order.
"""

from __future__ import annotations

import json
from pathlib import Path

from demo_world.anomalies import Plan
from demo_world.billing import Billing
from demo_world.calendar import month_key
from demo_world.catalog import METRIC_CODES
from demo_world.meter_events import EVENT_NAME as METER_EVENT_NAME
from demo_world.meter_events import missing_day_requests
from demo_world.usage import UsageResult
from demo_world.world import World
from sources.atomic import atomic_path


def entry(anomaly: str, mart: str, status: str, **key: object) -> dict:
    return {"anomaly": anomaly, "mart": mart, "status": status, "key": key}


def _usage_row(anomaly: str, status: str, subscription: str, month: str, metric: str) -> dict:
    return entry(
        anomaly,
        "rec_usage_billing",
        status,
        subscription_id=subscription,
        metric=metric,
        billing_period=month,
    )


def build_entries(
    plan: Plan,
    usage: UsageResult,
    billing: Billing,
    fx: list[dict] | None = None,
    cross: list[dict] | None = None,
    accrued: list[dict] | None = None,
    world: World | None = None,
) -> list[dict]:
    """Every entry but the duplicate_event ones, in the spec's table order; `fx` are the
    realized FX journals expected (billing.realized_fx), each keyed by its payment; `cross` the
    invoice journals converted through USD (erp.cross_rate_journals), keyed by their invoice;
    `accrued` a revenue accrual and its reversal (erp.accrual_journals), keyed by their source id
    (entity-period-currency)."""
    out: list[dict] = []
    for key in usage.conflicts:
        out.append(entry("conflicting_duplicate", "ops_quarantine", "quarantined", **key))
    for sub, month, metric in sorted(usage.late):
        out.append(_usage_row("late_usage", "late_usage", sub, month, metric))
    invoiced = {month_key(i.month) for i in billing.invoices}
    for sub, month, metric in sorted(usage.unknown):
        if month in invoiced:
            out.append(_usage_row("unknown_subscription", "unmapped", sub, month, metric))
    statuses = {
        "underbilled_quantity": "unbilled_usage",
        "overbilled_quantity": "overbilled",
        "price_mismatch": "price_mismatch",
    }
    for anomaly, status in statuses.items():
        for name, sub, month, metric in billing.usage_faults:
            if name == anomaly:
                out.append(_usage_row(anomaly, status, sub, month, metric))
    for sub, month in sorted(plan.missing_invoices):
        for metric in METRIC_CODES:
            if usage.billed.get((sub, month, metric)) or usage.late.get((sub, month, metric)):
                out.append(_usage_row("missing_invoice", "missing_invoice", sub, month, metric))

    def invoices(pairs) -> list:
        found = [billing.invoice_for(sub, month) for sub, month in sorted(pairs)]
        return [i for i in found if i is not None]

    for invoice in invoices(plan.unexported_invoices):
        out.append(
            entry(
                "invoice_missing_in_erp",
                "rec_billing_erp",
                "missing_in_erp",
                document_id=invoice.id,
            )
        )
    for invoice in invoices(plan.posted_twice):
        out.append(
            entry(
                "invoice_posted_twice",
                "rec_billing_erp",
                "duplicate_in_erp",
                document_id=invoice.id,
            )
        )
    for invoice in invoices(plan.amount_mismatch):
        out.append(
            entry(
                "erp_amount_mismatch", "rec_billing_erp", "amount_mismatch", document_id=invoice.id
            )
        )
    if plan.unknown_erp_posting is not None:
        out.append(
            entry(
                "unknown_erp_posting",
                "rec_billing_erp",
                "unknown_in_billing",
                document_id=plan.unknown_erp_posting[0],
            )
        )
    notes = {n.plan.anomaly: n for n in billing.credit_notes if n.plan.anomaly}
    if (note := notes.get("credit_note_not_reversed")) is not None:
        out.append(
            entry(
                "credit_note_not_reversed",
                "rec_adjustments_erp",
                "not_reversed",
                adjustment_id=note.id,
            )
        )
        out.append(
            entry(
                "credit_note_not_reversed", "rec_billing_erp", "missing_in_erp", document_id=note.id
            )
        )
    for invoice in invoices(plan.payment_unapplied):
        if invoice.charge is not None:
            out.append(
                entry(
                    "payment_unapplied",
                    "rec_payments_cash",
                    "unapplied",
                    payment_id=invoice.charge.id,
                )
            )
    for invoice in invoices(plan.payment_misapplied):
        if invoice.charge is not None:
            out.append(
                entry(
                    "payment_misapplied",
                    "rec_payments_cash",
                    "misapplied",
                    payment_id=invoice.charge.id,
                )
            )
    if (note := notes.get("refund_not_recorded")) is not None and note.refund is not None:
        out.append(
            entry(
                "refund_not_recorded",
                "rec_payments_cash",
                "missing_in_erp",
                payment_id=note.refund.id,
            )
        )
    if (note := notes.get("closed_period_posting")) is not None:
        out.append(
            entry(
                "closed_period_posting", "journal_lines", "moved_to_open_period", source_id=note.id
            )
        )
    if world is not None and (gap := missing_day_requests(plan, usage)) is not None:
        sub_id, day, _ = gap
        out.append(
            entry(
                "usage_not_metered_in_stripe",
                "rec_usage_meters",
                "unbilled_usage",
                customer_id=world.by_id[sub_id].customer.stripe_id,
                stripe_event_name=METER_EVENT_NAME,
                billing_period=month_key(day),
            )
        )
    for journal in fx or []:
        payment = journal["journal_id"].removeprefix("U2C-FX-")
        out.append(
            {
                **entry("realized_fx", "journal_lines", "ready", source_id=payment),
                "expected": journal,
            }
        )

    # the same discrepancies as the export <-> ERP confirmation sees them, per External ID
    # (rec_exports_erp: every line usage-to-cash sent against what the ERP posted)
    def export_row(anomaly: str, status: str, external_id: str) -> None:
        out.append(entry(anomaly, "rec_exports_erp", status, external_id=external_id))

    for invoice in invoices(plan.unexported_invoices):
        export_row("invoice_missing_in_erp", "not_in_erp", f"U2C-INV-{invoice.id}")
    for invoice in invoices(plan.posted_twice):
        export_row("invoice_posted_twice", "posted_twice", f"U2C-INV-{invoice.id}")
    for invoice in invoices(plan.amount_mismatch):
        export_row("erp_amount_mismatch", "amount_mismatch", f"U2C-INV-{invoice.id}")
    if (note := notes.get("credit_note_not_reversed")) is not None:
        export_row("credit_note_not_reversed", "not_in_erp", f"U2C-CN-{note.id}")
    if (note := notes.get("refund_not_recorded")) is not None and note.refund is not None:
        export_row("refund_not_recorded", "not_in_erp", f"U2C-REF-{note.refund.id}")
    for invoice in invoices(plan.payment_unapplied):
        if invoice.charge is not None:
            export_row("payment_unapplied", "account_mismatch", f"U2C-PAY-{invoice.charge.id}")
    for invoice in invoices(plan.unposted_fee_journals):
        if invoice.charge is not None:
            txn = invoice.charge.balance_transaction
            export_row("export_not_posted", "not_in_erp", f"U2C-FEE-{txn}")
    for journal in accrued or []:
        reversal = journal["journal_id"].startswith("U2C-ACCR-REV-")
        anomaly = "revenue_accrual_reversal" if reversal else "revenue_accrual"
        source = journal["journal_id"].removeprefix("U2C-ACCR-REV-").removeprefix("U2C-ACCR-")
        out.append(
            {**entry(anomaly, "journal_lines", "ready", source_id=source), "expected": journal}
        )
    for journal in cross or []:
        invoice = journal["journal_id"].removeprefix("U2C-INV-")
        out.append(
            {
                **entry("cross_rate_conversion", "journal_lines", "ready", source_id=invoice),
                "expected": journal,
            }
        )
    return out


def write_answer_key(path: Path, duplicates: Path | None, entries: list[dict]) -> int:
    """Write the key (duplicates first, streamed); return the number of entries."""
    count = 0
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as fh:
        fh.write("[")
        separator = "\n"
        if duplicates is not None and duplicates.exists():
            with open(duplicates, encoding="utf-8") as dup:
                for line in dup:
                    fh.write(separator)
                    fh.write(line.rstrip("\n"))
                    separator = ",\n"
                    count += 1
        for item in entries:
            fh.write(separator)
            fh.write(json.dumps(item, separators=(",", ":")))
            separator = ",\n"
            count += 1
        fh.write("\n]\n" if count else "]\n")
    return count
