"""The injection plan: which subscription or document carries which discrepancy.

Every choice comes from the seed (through the world's `Casting`), and each discrepancy claims
the rows it disturbs (an invoice of a month, a subscription x metric x month of usage), so no
other reconciliation row is touched. With `clean` the plan is empty. A discrepancy the world is
too small for (e.g. no invoiced month yet) is skipped and listed in `skipped`.

| anomaly | where |
|---|---|
| duplicate_event | ~0.5% of events re-sent: half in the same file, half in the next day's |
| conflicting_duplicate | 2 events re-sent with another quantity at the end of the next day's file |
| late_usage | first invoiced month, api_calls, delivered on the 5th of the next month |
| unknown_subscription | last invoiced month, api_calls, a sub_ that exists nowhere |
| under/overbilled_quantity, price_mismatch | last invoiced month: api_calls, storage, seats |
| missing_invoice | last invoiced month: the invoice is never issued |
| invoice_missing_in_erp, erp_amount_mismatch | last invoiced month's invoice |
| invoice_posted_twice, payment_unapplied/misapplied | first invoiced month's invoice / its charge |
| unknown_erp_posting | a journal on the last finalization day for an invoice nobody issued |
| credit_note_not_reversed, refund_not_recorded | credit notes on first invoiced month's invoices |
| closed_period_posting | credit note effective in the closed first month, issued a week before |
|  | the extracts (in an open period) |
| re-delivered file | first invoiced month: one subscription's events of its 10th day sent again |
|  | after the invoice, as `events_<day>-redelivery.jsonl` (its name sorts before the original's) |
| intra-day extract | first invoiced month: one subscription's morning events of its 15th day, |
|  | delivered at noon as `events_<day>_intraday.jsonl` (sorts after the day file, arrives first) |
| usage_not_metered_in_stripe | last invoiced month: one subscription's API requests of its |
|  | 10th day never reported to the Stripe meter (meter_events.py) |
| realized_fx | first invoiced month's invoice of a subscription billed in USD by an entity with |
|  | another functional currency, paid on the 1st of the month after (another rate): the |
|  | `U2C-FX-<charge>` journal, its lines in the answer key's `expected` |
| export_not_posted | first invoiced month's payment: its processor-fee journal |
|  | (`U2C-FEE-<txn>`) is exported but not in the ERP extract (rec_exports_erp not_in_erp) |

The two extra files are exact copies (answer-key entries `duplicate_event`): the first delivery,
by delivery time, is the one counted, whatever the names say.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from demo_world.calendar import add_months, at, month_key
from demo_world.catalog import METRIC_CODES
from demo_world.fx import BASE
from demo_world.world import CreditNotePlan, World, invoice_resource, usage_resource

REDELIVERY_RATE = 0.005
CONFLICTS = 2
UNKNOWN_EVENT_SHARE = 0.002
LATE_EVENTS = 12
# Quantity faults move the billed quantity by this share of the metered one (at least 1).
QUANTITY_FAULT_SHARE = 5  # 1/5 = 20%
ERP_AMOUNT_DELTA_MAJOR = 10  # the ERP AR debit is 10 major units (JPY 1000) above the total


@dataclass(frozen=True)
class LateUsage:
    subscription_id: str
    metric: str
    month: date
    delivered_on: date
    first_day: date  # late events occur on first_day .. the month's last day


@dataclass(frozen=True)
class ExtraDelivery:
    """A file of exact copies of one subscription's events of one day, delivered besides the
    day file: a late re-delivery whose name sorts first, or an intra-day extract (the events
    before `before`) delivered ahead of the day file under a name that sorts after it."""

    anomaly: str
    subscription_id: str
    day: date
    file_name: str
    delivered_at: datetime
    before: time | None = None


@dataclass(frozen=True)
class UnknownUsage:
    subscription_id: str
    customer_id: str
    metric: str
    month: date
    share: float


@dataclass
class Plan:
    clean: bool
    redelivery_rate: float = 0.0
    conflicts: list[tuple[str, int]] = field(default_factory=list)  # (subscription, day index)
    late: LateUsage | None = None
    unknown: UnknownUsage | None = None
    # (subscription, 'YYYY-MM', metric) -> -1 (underbilled) / +1 (overbilled)
    quantity_faults: dict[tuple[str, str, str], int] = field(default_factory=dict)
    price_faults: set[tuple[str, str, str]] = field(default_factory=set)
    missing_invoices: set[tuple[str, str]] = field(default_factory=set)  # (subscription, month)
    unexported_invoices: set[tuple[str, str]] = field(default_factory=set)
    posted_twice: set[tuple[str, str]] = field(default_factory=set)
    amount_mismatch: set[tuple[str, str]] = field(default_factory=set)
    unknown_erp_posting: tuple[str, str, str] | None = None  # (invoice id, subscription, month)
    payment_unapplied: set[tuple[str, str]] = field(default_factory=set)
    payment_misapplied: dict[tuple[str, str], str] = field(default_factory=dict)  # -> other sub
    credit_notes: list[CreditNotePlan] = field(default_factory=list)
    extra_deliveries: list[ExtraDelivery] = field(default_factory=list)
    # (subscription, month) of a foreign-currency invoice paid a month late, at another rate
    late_foreign_payments: set[tuple[str, str]] = field(default_factory=set)
    # (subscription, day) whose API requests are never reported to the Stripe meter
    missing_meter_event: tuple[str, date] | None = None
    # (subscription, month) whose payment's processor-fee journal the ERP never posted
    unposted_fee_journals: set[tuple[str, str]] = field(default_factory=set)
    skipped: list[str] = field(default_factory=list)


def plan_anomalies(world: World, clean: bool) -> Plan:
    plan = Plan(clean=clean)
    if clean:
        return plan
    rng = random.Random(world.seed * 7_919 + 3)
    calendar = world.calendar
    plan.redelivery_rate = REDELIVERY_RATE
    months = calendar.invoiced_months
    first = months[0] if months else None
    last = months[-1] if months else None

    def skip(name: str) -> None:
        plan.skipped.append(name)

    # late_usage: occurred in the first invoiced month, delivered after its invoice.
    if first is not None and add_months(first, 1) + timedelta(days=4) < calendar.end:
        sub = world.cast("late_usage", {usage_resource(first, "api_calls"): None})
        month_end = add_months(first, 1) - timedelta(days=1)
        first_day = max(month_end - timedelta(days=4), calendar.start)
        if sub is not None and first_day <= month_end:
            plan.late = LateUsage(
                sub.id, "api_calls", first, add_months(first, 1) + timedelta(days=4), first_day
            )
        else:
            skip("late_usage")
    else:
        skip("late_usage")

    # unknown_subscription: usage for a subscription no system knows.
    if last is not None:
        plan.unknown = UnknownUsage(
            world.ids.stripe("sub", "unknown-subscription"),
            world.ids.stripe("cus", "unknown-subscription"),
            "api_calls",
            last,
            UNKNOWN_EVENT_SHARE,
        )
    else:
        skip("unknown_subscription")

    def no_change_no_commitment(s) -> bool:
        # a plan change or a minimum-commitment true-up would blur the line being tested
        return len(s.versions) == 1 and s.versions[0].plan != "enterprise"

    for name, metric, sign in (
        ("underbilled_quantity", "api_calls", -1),
        ("overbilled_quantity", "storage_bytes", +1),
        ("price_mismatch", "seats", 0),
    ):
        sub = None
        if last is not None:
            sub = world.cast(
                name,
                {invoice_resource(last): "usage_lines", usage_resource(last, metric): None},
                eligible=no_change_no_commitment,
            )
        if sub is None:
            skip(name)
        elif sign:
            plan.quantity_faults[(sub.id, month_key(last), metric)] = sign
        else:
            plan.price_faults.add((sub.id, month_key(last), metric))

    def invoice_role(name: str, month: date | None, target: set) -> None:
        sub = None if month is None else world.cast(name, {invoice_resource(month): None})
        if sub is None:
            skip(name)
        else:
            target.add((sub.id, month_key(month)))

    # missing_invoice: every metric's row of that month is flagged, so it claims them all.
    sub = None
    if last is not None:
        claims = {invoice_resource(last): None}
        claims.update({usage_resource(last, m): None for m in METRIC_CODES})
        sub = world.cast("missing_invoice", claims)
    if sub is None:
        skip("missing_invoice")
    else:
        plan.missing_invoices.add((sub.id, month_key(last)))
    # realized_fx: a first-month invoice in a currency other than its entity's functional
    # currency, paid on the first of the month after it was finalized (another period's rate).
    # Cast before the other roles on the first month's invoice: a small world has one such
    # subscription at most.
    paid = at(add_months(first, 2), 10) if first is not None else None
    sub = None
    if paid is not None and paid < calendar.extracted_at:
        sub = world.cast(
            "realized_fx",
            {invoice_resource(first): None},
            # billed in the parent currency (USD): a rate of its own in the ERP, no triangulation
            eligible=lambda s: s.currency != s.customer.entity.currency and s.currency == BASE,
        )
    if sub is None:
        skip("realized_fx")
    else:
        plan.late_foreign_payments.add((sub.id, month_key(first)))
    invoice_role("invoice_missing_in_erp", last, plan.unexported_invoices)
    invoice_role("invoice_posted_twice", first, plan.posted_twice)
    invoice_role("erp_amount_mismatch", last, plan.amount_mismatch)

    # unknown_erp_posting: a journal for an invoice id that does not exist, on some customer.
    sub = world.cast("unknown_erp_posting", {}) if last is not None else None
    if sub is None:
        skip("unknown_erp_posting")
    else:
        fake = world.ids.stripe("in", "unknown-erp-posting")
        plan.unknown_erp_posting = (fake, sub.id, month_key(last))

    def credit_note(name: str, issued: datetime | None, effective: datetime | None, **kw) -> None:
        latest = calendar.extracted_at - timedelta(days=2)
        if first is None or issued is None or effective is None or issued > latest:
            skip(name)
            return
        sub = world.cast(name, {invoice_resource(first): None})
        if sub is None:
            skip(name)
            return
        plan.credit_notes.append(
            CreditNotePlan(sub.id, first, issued, effective, anomaly=name, **kw)
        )

    finalized = calendar.finalized_at(first) if first is not None else None

    def after(days: int, hour: int) -> datetime | None:
        if finalized is None:
            return None
        return at(finalized.date() + timedelta(days=days), hour, rng.randint(0, 59))

    issued = after(12, 10)
    credit_note(
        "credit_note_not_reversed",
        issued,
        issued,
        kind="usage_share",
        reason="product_unsatisfactory",
    )

    invoice_role("payment_unapplied", first, plan.payment_unapplied)
    payer = None
    if first is not None:

        def has_partner(s) -> bool:
            return any(
                o.id != s.id and o.customer.entity == s.customer.entity and o.currency == s.currency
                for o in world.subscriptions
            )

        payer = world.cast(
            "payment_misapplied", {invoice_resource(first): None}, eligible=has_partner
        )
    if payer is None:
        skip("payment_misapplied")
    else:
        other = world.cast(
            "payment_misapplied:credited_customer",
            {},
            eligible=lambda o: (
                o.customer.entity == payer.customer.entity and o.currency == payer.currency
            ),
            exclude=[payer.id],
        )
        plan.payment_misapplied[(payer.id, month_key(first))] = other.id  # type: ignore[union-attr]

    issued = after(14, 15)
    credit_note("refund_not_recorded", issued, issued, kind="platform_fee", reason="order_change")

    # closed_period_posting: effective on the last day of the (closed) first month, issued
    # a week before the extracts, in an open period.
    if first is not None and calendar.period_of(first).closed:
        effective = at(add_months(first, 1) - timedelta(days=1), 12)
        issued_day = max(finalized.date() + timedelta(days=1), calendar.end - timedelta(days=7))
        credit_note(
            "closed_period_posting",
            at(issued_day, 10, rng.randint(0, 59)),
            effective,
            kind="usage_share",
            reason="order_change",
        )
    else:
        skip("closed_period_posting")

    # conflicting_duplicate: an event re-sent with another quantity in the next day's file.
    # The original lies in an invoiced month when there is one, so its (first) delivery is billed.
    billed = {month_key(m) for m in months}
    days = [
        d
        for d in range(calendar.days - 1)
        if month_key(calendar.day(d)) == month_key(calendar.day(d + 1))
        and (not billed or month_key(calendar.day(d)) in billed)
    ]
    for _ in range(CONFLICTS):
        sub = world.cast("conflicting_duplicate", {}) if days else None
        if sub is None:
            skip("conflicting_duplicate")
            continue
        day = days[rng.randrange(len(days))]
        days.remove(day)
        plan.conflicts.append((sub.id, day))
    plan.conflicts.sort(key=lambda c: c[1])

    # usage_not_metered_in_stripe: a day of API requests the company never reported to Stripe;
    # cast after the others, so adding it moved no other anomaly.
    day = last + timedelta(days=9) if last is not None else None
    sub = None
    if day is not None and calendar.start <= day < calendar.end:
        sub = world.cast(
            "usage_not_metered_in_stripe", {f"meter:{month_key(last)}:api_calls": None}
        )
    if sub is None:
        skip("usage_not_metered_in_stripe")
    else:
        plan.missing_meter_event = (sub.id, day)

    # export_not_posted: the processor-fee journal of a first-month payment was exported but
    # the ERP never posted it. It disturbs that journal only, so it claims no invoice and may
    # share a subscription with another role (cast after the others: it moved none of them).
    sub = None
    if first is not None:
        unpaid = plan.missing_invoices | plan.unexported_invoices
        sub = world.cast(
            "export_not_posted", {}, eligible=lambda s: (s.id, month_key(first)) not in unpaid
        )
    if sub is None:
        skip("export_not_posted")
    else:
        plan.unposted_fee_journals.add((sub.id, month_key(first)))

    # re-delivered file / intra-day extract: copies of one subscription's events of a day of the
    # first invoiced month; cast last, so adding them moved no other anomaly. The re-delivery
    # takes a subscription whose first-month usage nothing else disturbs (late usage there would
    # hide whether the copy was counted).
    for name, offset in (("redelivered_file", 9), ("intraday_extract", 14)):
        day = first + timedelta(days=offset) if first is not None else None
        sub = None
        if day is not None and calendar.start <= day < calendar.end - timedelta(days=1):
            untouched: dict[str, str | None] = (
                {usage_resource(first, m): None for m in METRIC_CODES}
                if name == "redelivered_file"
                else {}
            )
            sub = world.cast(name, untouched)
        if sub is None:
            skip(name)
        elif name == "redelivered_file":
            plan.extra_deliveries.append(
                ExtraDelivery(
                    name,
                    sub.id,
                    day,
                    f"events_{day.isoformat()}-redelivery.jsonl",
                    # after the month's invoice: counted, it would be late usage
                    calendar.finalized_at(first) + timedelta(days=2, hours=1),
                )
            )
        else:
            plan.extra_deliveries.append(
                ExtraDelivery(
                    name,
                    sub.id,
                    day,
                    f"events_{day.isoformat()}_intraday.jsonl",
                    at(day, 12),
                    before=time(12),
                )
            )

    return plan
