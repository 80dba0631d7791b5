"""Stripe objects of the demo world: customers, products, prices, subscriptions, invoices,
credit notes, invoice payments, charges, refunds and balance transactions.

Invoices follow the billing policy (rating.py) on the usage as the pipeline will see it:
distinct events, first delivery, late events left out (usage.py's `billed` totals), a month with
a plan change billed per version (usage split at the change, as Stripe does). A customer's
objects come in its API layout (pre-2025 or 2025-03-31; the 2025-03-31 invoices and lines keep
the deprecated `subscription` key as null, as Stripe's own fixtures serialize them, so an
invoice's layout is decided on keys with a value; their charges do not name the invoice, an
invoice payment links it to the PaymentIntent, and their credit notes list the refund in
`refunds[]`, as that API version does). Every finalized invoice
is paid by a charge an hour later, except the one left unpaid by `invoice_missing_in_erp`;
every credit note is post-payment and refunded to the card.

Documents are kept as small dataclasses (what the ERP journals need) and rendered to Stripe
JSON by the `*_object` functions.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from demo_world import catalog, rating
from demo_world.anomalies import QUANTITY_FAULT_SHARE, Plan
from demo_world.calendar import add_months, at, month_key, month_seconds, unix
from demo_world.catalog import METRICS, PLANS
from demo_world.fx import Rates
from demo_world.usage import UsageResult
from demo_world.world import LAYOUT_2025, CreditNotePlan, Subscription, World

GL_DEFERRED_REVENUE = "2100"
GL_USAGE_REVENUE = "4100"
GL_PLATFORM_REVENUE = "4000"
STRIPE_FEE_RATE = Fraction(29, 1000)
STRIPE_FEE_FIXED = 30  # minor units
CREDIT_SHARE = Fraction(1, 5)  # a usage_share credit note credits 20% of the line
TIMES = "\N{MULTIPLICATION SIGN}"  # as in Stripe's line descriptions ("3 x API calls")


@dataclass
class Line:
    id: str
    kind: str  # platform_fee, proration_credit, proration_charge, usage, true_up
    amount: int
    quantity: int | None
    description: str
    period_start: datetime
    period_end: datetime
    price: dict
    account: str
    subscription_item: str | None = None
    invoice_item: str | None = None
    credited_line: str | None = None
    metric: str | None = None
    business_transaction_id: str | None = None
    tax: int = 0

    @property
    def proration(self) -> bool:
        return self.kind.startswith("proration")


@dataclass
class Charge:
    id: str
    invoice: Invoice
    amount: int
    created: datetime
    payment_intent: str
    balance_transaction: str
    amount_refunded: int = 0


@dataclass
class Refund:
    id: str
    charge: Charge
    amount: int
    created: datetime
    balance_transaction: str
    credit_note: CreditNote


@dataclass
class CreditNoteLine:
    id: str
    invoice_line: Line
    amount: int
    quantity: int | None
    unit_amount: int | None
    description: str


@dataclass
class CreditNote:
    id: str
    number: str
    invoice: Invoice
    lines: list[CreditNoteLine]
    subtotal: int
    tax: int
    created: datetime
    effective_at: datetime
    reason: str
    memo: str
    plan: CreditNotePlan
    refund: Refund | None = None

    @property
    def total(self) -> int:
        return self.subtotal + self.tax


@dataclass
class Invoice:
    id: str
    number: str
    subscription: Subscription
    month: date
    lines: list[Line]
    subtotal: int
    tax: int
    created: datetime
    finalized_at: datetime
    charge: Charge | None = None

    @property
    def total(self) -> int:
        return self.subtotal + self.tax

    @property
    def currency(self) -> str:
        return self.subscription.currency

    @property
    def period_start(self) -> datetime:
        return at(self.month)

    @property
    def period_end(self) -> datetime:
        return at(add_months(self.month, 1))

    @property
    def paid(self) -> bool:
        return self.charge is not None


@dataclass
class BalanceTransaction:
    id: str
    source: str
    type: str
    amount: int
    fee: int
    currency: str
    exchange_rate: Decimal | None
    created: datetime
    available_on: datetime

    @property
    def net(self) -> int:
        return self.amount - self.fee


@dataclass
class Billing:
    book: _PriceBook
    invoices: list[Invoice] = field(default_factory=list)
    charges: list[Charge] = field(default_factory=list)
    credit_notes: list[CreditNote] = field(default_factory=list)
    refunds: list[Refund] = field(default_factory=list)
    balance_transactions: list[BalanceTransaction] = field(default_factory=list)
    # Discrepancies actually injected: (anomaly, subscription, 'YYYY-MM', metric)
    usage_faults: list[tuple[str, str, str, str]] = field(default_factory=list)
    # (subscription, 'YYYY-MM') -> the lines its invoice should carry (no fault injected), for
    # every month whose service period ended before the extracts, invoiced or not: what
    # usage-to-cash accrues until the invoice posts
    expected: dict[tuple[str, str], list[Line]] = field(default_factory=dict)

    def invoice_for(self, subscription_id: str, month: str) -> Invoice | None:
        return next(
            (
                i
                for i in self.invoices
                if i.subscription.id == subscription_id and month_key(i.month) == month
            ),
            None,
        )


class _PriceBook:
    """Stripe products and prices, made once and looked up by plan, metric and currency."""

    def __init__(self, world: World) -> None:
        self.world = world
        ids = world.ids
        self.created = unix(at(world.calendar.first_month - timedelta(days=120), 9))
        self.products: dict[str, dict] = {}
        self.prices: dict[str, dict] = {}
        for plan in PLANS:
            self._product(
                f"platform:{plan}",
                ids.stripe("prod", "platform", plan),
                f"{plan.title()} plan",
                None,
                f"SKU-PLATFORM-{plan.upper()}",
                "",
                GL_PLATFORM_REVENUE,
            )
        for metric in METRICS:
            self._product(
                metric.code,
                ids.stripe("prod", metric.code),
                metric.product_name,
                metric.unit_label,
                metric.sku,
                metric.code,
                GL_USAGE_REVENUE,
            )
        self._product(
            "true_up",
            ids.stripe("prod", "minimum-commitment"),
            "Minimum commitment true-up",
            None,
            "SKU-MIN-COMMIT",
            "",
            GL_USAGE_REVENUE,
        )
        for plan in PLANS:
            for currency in catalog.CURRENCIES:
                self.fee_price(plan, currency)
                for metric in METRICS:
                    self.usage_price(plan, metric.code, currency)

    def _product(self, key, pid, name, unit_label, sku, metric, gl) -> None:
        self.products[key] = {
            "id": pid,
            "object": "product",
            "created": self.created,
            "livemode": False,
            "metadata": {"sku": sku, "metric": metric, "gl_revenue_account": gl},
            "name": name,
            "active": True,
            "unit_label": unit_label,
        }

    def _add(self, key: str, price: dict) -> dict:
        return self.prices.setdefault(key, price)

    def fee_price(self, plan: str, currency: str) -> dict:
        key = f"fee:{plan}:{currency}"
        if key not in self.prices:
            minor = rating.to_minor(catalog.platform_fee(plan, currency), currency)
            self._add(
                key,
                _price(
                    self.world.ids.stripe("price", "fee", plan, currency),
                    self.products[f"platform:{plan}"]["id"],
                    currency,
                    self.created,
                    unit_amount=Decimal(minor),
                    recurring={"interval": "month", "interval_count": 1, "usage_type": "licensed"},
                ),
            )
        return self.prices[key]

    def usage_price(self, plan: str, metric: str, currency: str, stale: bool = False) -> dict:
        key = f"usage:{plan}:{metric}:{currency}" + (":stale" if stale else "")
        if key not in self.prices:
            term = catalog.price_terms(plan, currency)[metric]
            if stale:
                term = catalog.stale_term(term)
            scale = rating.scale(currency)
            recurring = {"interval": "month", "interval_count": 1, "usage_type": "metered"}
            pid = self.world.ids.stripe("price", "usage", plan, metric, currency, stale)
            product = self.products[metric]["id"]
            if term.pricing_model == "per_unit":
                price = _price(
                    pid,
                    product,
                    currency,
                    self.created,
                    unit_amount=term.tiers[0].unit_price * scale,
                    recurring=recurring,
                    transform={"divide_by": term.unit_divisor, "round": term.rounding},
                )
            else:
                price = _price(
                    pid,
                    product,
                    currency,
                    self.created,
                    tiers_mode=term.pricing_model,
                    tiers=[
                        {
                            "up_to": t.up_to,
                            **_amount_fields(t.unit_price * scale),
                            "flat_amount": int(t.flat_fee * scale) if t.flat_fee else None,
                        }
                        for t in term.tiers
                    ],
                    recurring=recurring,
                )
            if stale:
                price["active"] = False
            self._add(key, price)
        return self.prices[key]

    def true_up_price(self, name: tuple, currency: str, amount: int) -> dict:
        key = f"true_up:{'/'.join(map(str, name))}"
        price = _price(
            self.world.ids.stripe("price", "true-up", *name),
            self.products["true_up"]["id"],
            currency,
            self.created,
            unit_amount=Decimal(amount),
        )
        price["active"] = False
        return self._add(key, price)


def _amount_fields(minor: Decimal) -> dict:
    text = format(minor.normalize(), "f")
    return {
        "unit_amount": int(minor) if minor == minor.to_integral_value() else None,
        "unit_amount_decimal": text,
    }


def _price(
    pid: str,
    product: str,
    currency: str,
    created: int,
    *,
    unit_amount: Decimal | None = None,
    tiers_mode: str | None = None,
    tiers: list | None = None,
    recurring: dict | None = None,
    transform: dict | None = None,
) -> dict:
    amounts = (
        _amount_fields(unit_amount)
        if unit_amount is not None
        else {"unit_amount": None, "unit_amount_decimal": None}
    )
    return {
        "id": pid,
        "object": "price",
        "created": created,
        "livemode": False,
        "metadata": {},
        "product": product,
        "currency": currency.lower(),
        "active": True,
        "billing_scheme": "tiered" if tiers else "per_unit",
        "tiers_mode": tiers_mode,
        **amounts,
        "tiers": tiers,
        "recurring": recurring,
        "transform_quantity": transform,
    }


def item_id(world: World, sub: Subscription, role: str) -> str:
    return world.ids.stripe("si", sub.id, role)


def build_billing(world: World, plan: Plan, usage: UsageResult, rates: Rates) -> Billing:
    book = _PriceBook(world)
    billing = Billing(book)
    calendar = world.calendar
    rng = random.Random(world.seed * 7_919 + 21)
    numbers: dict[str, int] = {}
    for month in calendar.invoiced_months:
        mkey = month_key(month)
        for sub in world.subscriptions:
            if (sub.id, mkey) in plan.missing_invoices:
                continue
            numbers[sub.id] = numbers.get(sub.id, 0) + 1
            invoice = _invoice(world, plan, usage, book, billing, sub, month, numbers[sub.id])
            billing.invoices.append(invoice)
            if (sub.id, mkey) not in plan.unexported_invoices:
                late = (sub.id, mkey) in plan.late_foreign_payments
                _pay(world, rates, billing, invoice, rng, late=late)
    # what each ended month should have billed: the same lines without the injected faults,
    # priced in a scratch price book (no true-up price of a missing invoice in the extracts)
    faultless = replace(plan, quantity_faults={}, price_faults=set())
    scratch = Billing(_PriceBook(world))
    for month in calendar.months:
        if at(add_months(month, 1)) > calendar.extracted_at:
            continue
        for sub in world.subscriptions:
            expected = _invoice(world, faultless, usage, scratch.book, scratch, sub, month, 0)
            billing.expected[(sub.id, month_key(month))] = expected.lines
    for cn_plan in sorted(
        [*world.credit_notes, *plan.credit_notes], key=lambda p: (p.issued_at, p.subscription_id)
    ):
        invoice = billing.invoice_for(cn_plan.subscription_id, month_key(cn_plan.month))
        if invoice is not None and invoice.charge is not None:
            _credit_note(world, rates, billing, invoice, cn_plan)
    billing.charges.sort(key=lambda c: (c.created, c.id))
    billing.refunds.sort(key=lambda r: (r.created, r.id))
    billing.balance_transactions.sort(key=lambda b: (b.created, b.id))
    return billing


def _invoice(world, plan, usage, book, billing, sub, month, number) -> Invoice:
    ids, calendar = world.ids, world.calendar
    currency = sub.currency
    mkey = month_key(month)
    start, end = at(month), at(add_months(month, 1))
    seconds = month_seconds(month)
    invoice_id = ids.stripe("in", sub.id, mkey)
    lines: list[Line] = []

    def line_id(*name: object) -> str:
        return ids.stripe("il", invoice_id, *name)

    opening = sub.version_at(start)
    closing = sub.version_at(end - timedelta(seconds=1))
    fee = catalog.platform_fee(opening.plan, currency)
    lines.append(
        Line(
            id=line_id("platform_fee"),
            kind="platform_fee",
            amount=rating.to_minor(fee, currency),
            quantity=1,
            description=f"1 {TIMES} {opening.plan.title()} plan platform fee",
            period_start=start,
            period_end=end,
            price=book.fee_price(opening.plan, currency),
            account=GL_DEFERRED_REVENUE,
            subscription_item=item_id(world, sub, "platform"),
        )
    )
    previous, credited = opening, lines[0].id
    for change in sub.changes_within(start, end):
        remaining = unix(end) - unix(change.starts_at)
        day = change.effective_from.isoformat()
        for kind, version, sign, text in (
            ("proration_credit", previous, -1, "Unused time on {plan} plan after {day}"),
            ("proration_charge", change, 1, "Remaining time on {plan} plan after {day}"),
        ):
            amount = rating.prorate(
                catalog.platform_fee(version.plan, currency), remaining, seconds, currency
            )
            lines.append(
                Line(
                    id=line_id(kind, change.version),
                    kind=kind,
                    amount=sign * amount,
                    quantity=1,
                    description=text.format(plan=version.plan.title(), day=day),
                    period_start=change.starts_at,
                    period_end=end,
                    price=book.fee_price(version.plan, currency),
                    account=GL_DEFERRED_REVENUE,
                    subscription_item=item_id(world, sub, "platform"),
                    credited_line=credited if sign < 0 else None,
                    business_transaction_id=change.business_transaction_id,
                )
            )
        previous, credited = change, lines[-1].id
    # Usage of a month with a plan change is split at the change and each part billed on its own
    # version's price, as Stripe bills a metered price replaced mid-cycle (flexible billing mode):
    # one usage line per version with usage, in time order.
    versions = [opening, *sub.changes_within(start, end)]
    bounds = [start, *(v.starts_at for v in versions[1:]), end]
    for metric in METRICS:
        by_version = usage.billed_by_version
        parts = [
            (version, bounds[i], bounds[i + 1], technical)
            for i, version in enumerate(versions)
            if (technical := by_version.get((sub.id, mkey, metric.code, version.version)))
        ]
        for n, (version, part_start, part_end, technical) in enumerate(parts, start=1):
            term = catalog.price_terms(version.plan, currency)[metric.code]
            price = book.usage_price(version.plan, metric.code, currency)
            quantity = rating.commercial_quantity(technical, term.unit_divisor, term.rounding)
            # the faults are cast on subscriptions without a change: one part, the last
            fault = plan.quantity_faults.get((sub.id, mkey, metric.code)) if n == len(parts) else 0
            if fault:
                quantity = max(0, quantity + fault * max(1, quantity // QUANTITY_FAULT_SHARE))
                name = "underbilled_quantity" if fault < 0 else "overbilled_quantity"
                billing.usage_faults.append((name, sub.id, mkey, metric.code))
            if n == len(parts) and (sub.id, mkey, metric.code) in plan.price_faults:
                term = catalog.stale_term(term)
                price = book.usage_price(version.plan, metric.code, currency, stale=True)
                billing.usage_faults.append(("price_mismatch", sub.id, mkey, metric.code))
            name = ("usage", metric.code) if len(versions) == 1 else ("usage", metric.code, n)
            lines.append(
                Line(
                    id=line_id(*name),
                    kind="usage",
                    amount=rating.usage_amount(quantity, term, currency),
                    quantity=quantity,
                    description=f"{quantity} {TIMES} {metric.product_name} ({metric.unit_label})",
                    period_start=part_start,
                    period_end=part_end,
                    price=price,
                    account=GL_USAGE_REVENUE,
                    subscription_item=item_id(world, sub, metric.code),
                    metric=metric.code,
                )
            )
    commitment = catalog.minimum_commitment(closing.plan, currency)
    true_up = rating.minimum_commitment_true_up(sum(x.amount for x in lines), commitment, currency)
    if commitment and true_up:
        lines.append(
            Line(
                id=line_id("true_up"),
                kind="true_up",
                amount=true_up,
                quantity=1,
                description="Minimum commitment true-up",
                period_start=start,
                period_end=end,
                price=book.true_up_price((sub.id, mkey), currency, true_up),
                account=GL_USAGE_REVENUE,
                invoice_item=ids.stripe("ii", invoice_id, "true_up"),
            )
        )
    subtotal = sum(x.amount for x in lines)
    tax = rating.tax_amount(subtotal, sub.customer.entity.tax_rate)
    if tax:
        for line, share in zip(lines, rating.allocate(tax, [x.amount for x in lines]), strict=True):
            line.tax = share
    prefix = ids.stripe("inpfx", sub.customer.stripe_id, length=8)[6:].upper()
    return Invoice(
        id=invoice_id,
        number=f"{prefix}-{number:04d}",
        subscription=sub,
        month=month,
        lines=lines,
        subtotal=subtotal,
        tax=tax,
        created=calendar.invoice_created_at(month),
        finalized_at=calendar.finalized_at(month),
    )


def settlement(world: World, rates: Rates, currency: str, entity_currency: str, moment: datetime):
    """(exchange rate or None, function minor-in-charge-currency -> minor-in-settlement)."""
    if currency == entity_currency:
        return None, lambda amount: amount
    rate = rates.average(world.calendar.period_of(moment.date()), currency, entity_currency)

    def convert(amount: int) -> int:
        return rating.to_minor(
            Fraction(amount, rating.scale(currency)) * Fraction(rate), entity_currency
        )

    return rate, convert


def realized_fx(world: World, rates: Rates, charge: Charge) -> dict | None:
    """The realized FX journal usage-to-cash must derive for a foreign-currency payment, computed
    here on its own: the payment amount converted at the invoice's posting-period average rate
    (what the receivable was booked at) less at the payment's (what the cash relieved), each
    rounded half-even to the functional minor unit. A loss credits receivable (1200) and debits
    realized FX (7900); a gain the reverse. None when nothing is realized."""
    invoice = charge.invoice
    entity = invoice.subscription.customer.entity
    currency, functional = invoice.currency, entity.currency
    if currency == functional:
        return None
    calendar = world.calendar
    booked_in = calendar.posting_period(invoice.finalized_at.date())
    paid_in = calendar.posting_period(charge.created.date())
    amount = rating.to_major(charge.amount, currency)

    def convert(period) -> Decimal:
        return rates.convert(period, amount, currency, functional)

    booked_less_relieved = convert(booked_in) - convert(paid_in)
    if not booked_less_relieved:
        return None
    loss = booked_less_relieved > 0
    size = str(abs(booked_less_relieved))
    return {
        "journal_id": f"U2C-FX-{charge.id}",
        "legal_entity": entity.code,
        "posting_period": paid_in.key,
        "currency": functional,
        "invoice_period": booked_in.key,
        "invoice_rate": str(rates.average(booked_in, currency, functional)),
        "payment_rate": str(rates.average(paid_in, currency, functional)),
        "amount": str(amount),
        "amount_currency": currency,
        "lines": [
            {"account": "1200", "debit": "0" if loss else size, "credit": size if loss else "0"},
            {"account": "7900", "debit": size if loss else "0", "credit": "0" if loss else size},
        ],
    }


def _balance(world, rates, billing, source_id, kind, amount, currency, entity_currency, moment):
    rate, convert = settlement(world, rates, currency, entity_currency, moment)
    settled = convert(amount)
    fee = 0
    if kind == "charge":
        fee = round(settled * STRIPE_FEE_RATE) + STRIPE_FEE_FIXED
    else:
        settled = -settled
    txn = BalanceTransaction(
        id=world.ids.stripe("txn", source_id),
        source=source_id,
        type=kind,
        amount=settled,
        fee=fee,
        currency=entity_currency,
        exchange_rate=rate,
        created=moment,
        available_on=at(moment.date() + timedelta(days=2)),
    )
    billing.balance_transactions.append(txn)
    return txn


def _pay(world, rates, billing, invoice: Invoice, rng: random.Random, late: bool = False) -> None:
    created = invoice.finalized_at + timedelta(hours=1, minutes=rng.randint(0, 40))
    if late:  # paid on the 1st of the next month, settled at that month's rate
        created = at(add_months(invoice.month, 2), 10, created.minute)
    charge_id = world.ids.stripe("ch", invoice.id)
    entity_currency = invoice.subscription.customer.entity.currency
    txn = _balance(
        world,
        rates,
        billing,
        charge_id,
        "charge",
        invoice.total,
        invoice.currency,
        entity_currency,
        created,
    )
    invoice.charge = Charge(
        id=charge_id,
        invoice=invoice,
        amount=invoice.total,
        created=created,
        payment_intent=world.ids.stripe("pi", invoice.id),
        balance_transaction=txn.id,
    )
    billing.charges.append(invoice.charge)


def _credit_note(world, rates, billing, invoice: Invoice, cn_plan: CreditNotePlan) -> None:
    ids = world.ids
    usage_lines = [x for x in invoice.lines if x.kind == "usage" and x.amount > 0]
    fee_line = invoice.lines[0]
    if cn_plan.kind == "usage_share" and usage_lines:
        target = max(usage_lines, key=lambda x: (x.amount, x.id))
        amount = max(1, round(target.amount * CREDIT_SHARE))
        quantity = unit_amount = None
        description = f"Credit: 20% of {target.description}"
    else:
        target, amount = fee_line, fee_line.amount
        quantity, unit_amount = 1, fee_line.amount
        description = f"Credit: {fee_line.description}"
    cn_id = ids.stripe("cn", invoice.id, cn_plan.reason, cn_plan.anomaly)
    count = 1 + sum(1 for c in billing.credit_notes if c.invoice is invoice)
    tax = rating.tax_amount(amount, invoice.subscription.customer.entity.tax_rate)
    note = CreditNote(
        id=cn_id,
        number=f"{invoice.number}-CN-{count:02d}",
        invoice=invoice,
        lines=[
            CreditNoteLine(
                ids.stripe("cnli", cn_id, 1), target, amount, quantity, unit_amount, description
            )
        ],
        subtotal=amount,
        tax=tax,
        created=cn_plan.issued_at,
        effective_at=cn_plan.effective_at,
        reason=cn_plan.reason,
        memo=(
            "Service credit for the billing period"
            if cn_plan.reason == "product_unsatisfactory"
            else "Plan correction agreed with the customer"
        ),
        plan=cn_plan,
    )
    charge = invoice.charge
    refund_id = ids.stripe("re", cn_id)
    created = cn_plan.issued_at + timedelta(minutes=5)
    entity_currency = invoice.subscription.customer.entity.currency
    txn = _balance(
        world,
        rates,
        billing,
        refund_id,
        "refund",
        note.total,
        invoice.currency,
        entity_currency,
        created,
    )
    note.refund = Refund(refund_id, charge, note.total, created, txn.id, note)
    charge.amount_refunded += note.total
    billing.credit_notes.append(note)
    billing.refunds.append(note.refund)


# --- rendering to Stripe JSON ----------------------------------------------------------------


def customer_object(world: World, customer) -> dict:
    return {
        "id": customer.stripe_id,
        "object": "customer",
        "created": unix(customer.created_at),
        "livemode": False,
        "metadata": {
            "crm_account_id": customer.account_id,
            "netsuite_customer_id": str(customer.netsuite_id),
        },
        "name": customer.name,
        "email": customer.email,
        "currency": customer.currency.lower(),
        "address": {"country": customer.country},
    }


def subscription_object(world: World, plan: Plan, book: _PriceBook, sub: Subscription) -> dict:
    calendar = world.calendar
    now = calendar.extracted_at
    current = sub.version_at(now)
    period_start = at(now.date().replace(day=1))
    period_end = at(add_months(period_start.date(), 1))
    new_layout = sub.customer.layout == LAYOUT_2025
    stale = {m for (s, _, m) in plan.price_faults if s == sub.id}
    items = []
    for role in ("platform", *(m.code for m in METRICS)):
        if role == "platform":
            price, quantity = book.fee_price(current.plan, sub.currency), 1
        else:
            price = book.usage_price(current.plan, role, sub.currency, stale=role in stale)
            quantity = None
        item = {
            "id": item_id(world, sub, role),
            "object": "subscription_item",
            "price": price,
            "quantity": quantity,
        }
        if new_layout:
            item["current_period_start"] = unix(period_start)
            item["current_period_end"] = unix(period_end)
        items.append(item)
    obj = {
        "id": sub.id,
        "object": "subscription",
        "created": unix(sub.created_at),
        "livemode": False,
        "metadata": {
            "crm_contract_id": sub.contract_id,
            "contract_version": str(current.version),
            "business_transaction_id": current.business_transaction_id,
        },
        "customer": sub.customer.stripe_id,
        "status": "active",
        "currency": sub.currency.lower(),
        "start_date": unix(at(sub.start)),
        "billing_cycle_anchor": unix(at(sub.start)),
        "cancel_at": None,
        "canceled_at": None,
    }
    if not new_layout:
        obj["current_period_start"] = unix(period_start)
        obj["current_period_end"] = unix(period_end)
    obj["items"] = {"object": "list", "has_more": False, "data": items}
    return obj


def _price_summary(price: dict) -> dict:
    return {
        "id": price["id"],
        "product": price["product"],
        "unit_amount": price["unit_amount"],
        "unit_amount_decimal": price["unit_amount_decimal"],
        "billing_scheme": price["billing_scheme"],
        "tiers_mode": price["tiers_mode"],
        "recurring": price["recurring"],
    }


def _line_object(invoice: Invoice, line: Line, new_layout: bool) -> dict:
    sub_id = invoice.subscription.id
    credited = (
        {"invoice": invoice.id, "invoice_line_items": [line.credited_line]}
        if line.credited_line
        else None
    )
    obj: dict = {
        "id": line.id,
        "object": "line_item",
        "amount": line.amount,
        "currency": invoice.currency.lower(),
        "description": line.description,
        "quantity": line.quantity,
        "period": {"start": unix(line.period_start), "end": unix(line.period_end)},
    }
    taxes = [{"amount": line.tax}] if invoice.tax else []
    metadata = (
        {"business_transaction_id": line.business_transaction_id}
        if line.business_transaction_id
        else {}
    )
    if new_layout:
        obj["pricing"] = {
            "type": "price_details",
            "price_details": {"price": line.price["id"], "product": line.price["product"]},
            "unit_amount_decimal": line.price["unit_amount_decimal"],
        }
        if line.invoice_item:
            obj["parent"] = {
                "type": "invoice_item_details",
                "invoice_item_details": {
                    "invoice_item": line.invoice_item,
                    "proration": False,
                    "proration_details": {"credited_items": None},
                    "subscription": sub_id,
                },
                "subscription_item_details": None,
            }
        else:
            obj["parent"] = {
                "type": "subscription_item_details",
                "subscription_item_details": {
                    "subscription": sub_id,
                    "subscription_item": line.subscription_item,
                    "proration": line.proration,
                    "proration_details": {"credited_items": credited},
                    "invoice_item": None,
                },
                "invoice_item_details": None,
            }
        obj["discount_amounts"] = []
        obj["taxes"] = taxes
        # the deprecated key kept as null, as Stripe's own API fixtures serialize this layout
        obj["subscription"] = None
    else:
        obj["price"] = _price_summary(line.price)
        obj["proration"] = line.proration
        obj["proration_details"] = {"credited_items": credited}
        obj["subscription"] = sub_id
        obj["subscription_item"] = line.subscription_item
        obj["type"] = "invoiceitem" if line.invoice_item else "subscription"
        obj["discount_amounts"] = []
        obj["tax_amounts"] = taxes
    obj["metadata"] = metadata
    return obj


def invoice_object(invoice: Invoice) -> dict:
    new_layout = invoice.subscription.customer.layout == LAYOUT_2025
    charge = invoice.charge
    obj: dict = {
        "id": invoice.id,
        "object": "invoice",
        "created": unix(invoice.created),
        "livemode": False,
        "metadata": {},
        "customer": invoice.subscription.customer.stripe_id,
        "status": "paid" if charge else "open",
        "billing_reason": "subscription_cycle",
        "collection_method": "charge_automatically",
        "currency": invoice.currency.lower(),
        "number": invoice.number,
        "period_start": unix(invoice.period_start),
        "period_end": unix(invoice.period_end),
        "due_date": None,
        "subtotal": invoice.subtotal,
    }
    if new_layout:
        obj["total_taxes"] = [{"amount": invoice.tax}] if invoice.tax else []
    else:
        obj["tax"] = invoice.tax
    paid = invoice.total if charge else 0
    obj.update(
        total=invoice.total,
        amount_due=invoice.total,
        amount_paid=paid,
        amount_remaining=invoice.total - paid,
        status_transitions={
            "finalized_at": unix(invoice.finalized_at),
            "paid_at": unix(charge.created) if charge else None,
            "voided_at": None,
        },
    )
    if new_layout:
        obj["parent"] = {
            "type": "subscription_details",
            "subscription_details": {"subscription": invoice.subscription.id},
        }
        obj["subscription"] = None  # deprecated in this layout, serialized as null
    else:
        obj["subscription"] = invoice.subscription.id
    obj["lines"] = {
        "object": "list",
        "has_more": False,
        "data": [_line_object(invoice, line, new_layout) for line in invoice.lines],
    }
    return obj


def credit_note_object(note: CreditNote) -> dict:
    invoice = note.invoice
    return {
        "id": note.id,
        "object": "credit_note",
        "created": unix(note.created),
        "livemode": False,
        "metadata": {},
        "invoice": invoice.id,
        "customer": invoice.subscription.customer.stripe_id,
        "currency": invoice.currency.lower(),
        "amount": note.total,
        "subtotal": note.subtotal,
        "total": note.total,
        "reason": note.reason,
        "status": "issued",
        "type": "post_payment",
        "number": note.number,
        "memo": note.memo,
        "effective_at": unix(note.effective_at),
        **_refunds(note),
        "voided_at": None,
        "lines": {
            "object": "list",
            "has_more": False,
            "data": [
                {
                    "id": line.id,
                    "object": "credit_note_line_item",
                    "type": "invoice_line_item",
                    "invoice_line_item": line.invoice_line.id,
                    "quantity": line.quantity,
                    "unit_amount": line.unit_amount,
                    "amount": line.amount,
                    "description": line.description,
                }
                for line in note.lines
            ],
        },
    }


def _new_layout(invoice: Invoice) -> bool:
    return invoice.subscription.customer.layout == LAYOUT_2025


def _refunds(note: CreditNote) -> dict:
    """The credit note's refund: `refund` before API 2025-03-31, `refunds[]` since."""
    if not _new_layout(note.invoice):
        return {"refund": note.refund.id if note.refund else None}
    refunds = [note.refund] if note.refund else []
    return {
        "refunds": [
            {
                "amount_refunded": r.amount,
                "refund": r.id,
                "payment_record_refund": None,
                "type": "refund",
            }
            for r in refunds
        ]
    }


def invoice_payment_object(charge: Charge) -> dict:
    """API 2025-03-31: the charge no longer names its invoice; the invoice payment links the
    invoice to the PaymentIntent that paid it."""
    invoice = charge.invoice
    return {
        "id": "inpay_" + charge.payment_intent.removeprefix("pi_"),
        "object": "invoice_payment",
        "created": unix(charge.created),
        "livemode": False,
        "invoice": invoice.id,
        "currency": invoice.currency.lower(),
        "amount_requested": charge.amount,
        "amount_paid": charge.amount,
        "is_default": True,
        "status": "paid",
        "payment": {"type": "payment_intent", "payment_intent": charge.payment_intent},
        "status_transitions": {"canceled_at": None, "paid_at": unix(charge.created)},
    }


def invoice_payments(charges: list[Charge]) -> list[dict]:
    return [invoice_payment_object(c) for c in charges if _new_layout(c.invoice)]


def charge_object(charge: Charge) -> dict:
    invoice = charge.invoice
    # API 2025-03-31 removed the charge's `invoice` (its invoice payment links the two)
    linked = {} if _new_layout(invoice) else {"invoice": invoice.id}
    return {
        "id": charge.id,
        "object": "charge",
        "created": unix(charge.created),
        "livemode": False,
        "metadata": {},
        "amount": charge.amount,
        "amount_captured": charge.amount,
        "amount_refunded": charge.amount_refunded,
        "currency": invoice.currency.lower(),
        "customer": invoice.subscription.customer.stripe_id,
        **linked,
        "payment_intent": charge.payment_intent,
        "balance_transaction": charge.balance_transaction,
        "status": "succeeded",
        "paid": True,
        "refunded": charge.amount_refunded == charge.amount,
        "disputed": False,
    }


def refund_object(refund: Refund) -> dict:
    return {
        "id": refund.id,
        "object": "refund",
        "created": unix(refund.created),
        "livemode": False,
        "metadata": {"credit_note": refund.credit_note.id},
        "amount": refund.amount,
        "currency": refund.charge.invoice.currency.lower(),
        "charge": refund.charge.id,
        "balance_transaction": refund.balance_transaction,
        "status": "succeeded",
        "reason": "requested_by_customer",
    }


def balance_transaction_object(txn: BalanceTransaction, extracted_at: datetime) -> dict:
    return {
        "id": txn.id,
        "object": "balance_transaction",
        "created": unix(txn.created),
        "livemode": False,
        "metadata": {},
        "amount": txn.amount,
        "fee": txn.fee,
        "net": txn.net,
        "currency": txn.currency.lower(),
        "exchange_rate": float(txn.exchange_rate) if txn.exchange_rate is not None else None,
        "available_on": unix(txn.available_on),
        "reporting_category": txn.type,
        "source": txn.source,
        "status": "available" if txn.available_on <= extracted_at else "pending",
        "type": txn.type,
    }
