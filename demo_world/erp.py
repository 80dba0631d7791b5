"""NetSuite2 (SuiteAnalytics) extracts of the demo world.

Reference tables (subsidiary, currency, accountingperiod, account, customer,
consolidatedexchangerate) and the journals usage-to-cash exported earlier, one `Journal` per
Stripe document, with `transaction.externalid` `U2C-INV-`, `U2C-CN-`, `U2C-PAY-`, `U2C-REF-`:

| document | lines (transaction currency) |
|---|---|
| invoice | Dr 1200 AR total; per invoice line Cr 2100 (platform fee, prorations: a proration
|  | credit becomes a debit) or Cr 4100 (usage, minimum-commitment true-up); Cr 2200 tax |
| credit note | the reverse: per credited line Dr 2100/4100, Dr 2200 tax; Cr 1200 AR total |
| charge | Dr 1150 Stripe clearing; Cr 1200 AR (entity = the paying customer) |
| refund | Dr 1200 AR; Cr 1150 Stripe clearing |

and the journals that are no document of their own, as usage-to-cash exports them:
- revenue recognition per legal entity x period x currency, `U2C-RR-<entity>-<YYYY-MM>-<currency>`,
  dated the period's last day, no customer: Dr 2100 for the deferred revenue of the period, Cr the
  product's revenue account (4000). Its revenue is the platform fee and proration lines spread
  per UTC day of their service period by seconds, exactly (largest remainder, ties to the
  earliest day), credit note lines spread like the line they credit, negative; a day counts in
  its own posting period when its month was accrued before the invoice posted, else in the later
  of its own posting period and its document's (as the pipeline's revenue_schedule);
- revenue accrual, `U2C-ACCR-<entity>-<YYYY-MM>-<currency>` (Dr 1250 unbilled receivable, Cr
  2100 for fees and prorations, Cr 4100 for usage and true-up: the lines each month whose service
  ended before the extracts should have billed, without the injected faults), dated the last day
  of the period it accrues in, and its reversal `U2C-ACCR-REV-…` on the first day of the period
  the invoice posts in (none while a month has no invoice);
- processor fees, `U2C-FEE-<balance transaction>` (Dr 6100, Cr 1150, settlement currency), except
  the export_not_posted payment's: exported, never posted;
- realized FX, `U2C-FX-<charge>` (Cr/Dr 1200, Dr/Cr 7900, functional currency) of the payment the
  realized_fx anomaly pays a month late, at another rate.
Every line is in the order usage-to-cash sends it, so the export ledger and the extract compare
line by line (rec_exports_erp).

The transaction tables come as a Fivetran NetSuite2 sync lands them, with `_fivetran_synced`
and `_fivetran_deleted` columns, and hold more than usage-to-cash's journals, as a real extract
does: a vendor bill (`VendBill`, Dr 5000 hosting, Cr 2000 payable) in the first invoice
journal's subsidiary and period, and two deleted copies of usage-to-cash journals under new
transaction ids: one of the first invoice's journal whose header is deleted by a deletion
extract (`transaction_deleted.csv`, its lines stay in the line extracts), one of the first
payment's journal whose every row carries `_fivetran_deleted = TRUE`. None of them is a
discrepancy: counted as live, the copies would post those documents twice.

A journal is dated on its document's date (invoice finalization, credit note effective date,
charge or refund creation) and posts in that date's period, or in the first open period after
it when that one is closed. Amounts convert into the subsidiary's functional currency at the
posting period's average rate, each line rounded half-even; when the converted lines do not
balance, a rounding line on 7990 (no foreign amount) takes the difference. Line 0 is the
journal's main line. Lines are in major units with the currency's precision.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from demo_world.anomalies import ERP_AMOUNT_DELTA_MAJOR, Plan
from demo_world.billing import (
    GL_DEFERRED_REVENUE,
    Billing,
    Charge,
    CreditNote,
    Invoice,
    Line,
    Refund,
    realized_fx,
)
from demo_world.calendar import Period, add_months, at, month_key
from demo_world.catalog import platform_fee
from demo_world.fx import Rates
from demo_world.rating import tax_amount, to_major, to_minor
from demo_world.world import (
    CURRENCY_IDS,
    CURRENCY_NAMES,
    ENTITIES,
    ENTITY_BY_CODE,
    Subscription,
    World,
)
from sources.currencies import minor_units

CHART: tuple[tuple[str, str, str], ...] = (
    ("1100", "Bank", "Cash"),
    ("1150", "OthCurrAsset", "Stripe clearing"),
    ("1200", "AcctRec", "Accounts receivable"),
    ("2050", "OthCurrLiab", "Unapplied cash"),
    ("2100", "DeferRevenue", "Deferred revenue"),
    ("2200", "OthCurrLiab", "Sales tax payable"),
    ("4000", "Income", "Platform revenue"),
    ("4100", "Income", "Usage revenue"),
    ("4990", "Income", "Unmapped revenue - review"),
    ("6100", "Expense", "Payment processing fees"),
    ("7900", "OthExpense", "Realized FX gain/loss"),
    ("7990", "OthExpense", "Rounding"),
    ("2000", "AcctPay", "Accounts payable"),
    ("5000", "COGS", "Hosting"),
    ("1250", "OthCurrAsset", "Unbilled receivable"),
)
AR, CLEARING, UNAPPLIED, TAX, ROUNDING = "1200", "1150", "2050", "2200", "7990"
UNBILLED, FEES = "1250", "6100"
PAYABLE, HOSTING = "2000", "5000"
VENDOR_BILL = Decimal("420.00")  # functional currency, major units
SYNC_COLUMNS = ["_fivetran_deleted", "_fivetran_synced"]
EXPORT_DELAY = timedelta(hours=3)  # usage-to-cash's export run after the document

COLUMNS: dict[str, list[str]] = {
    "subsidiary": [
        "id", "name", "legalname", "tranprefix", "country", "currency", "fiscalcalendar",
        "iselimination", "parent",
    ],
    "currency": ["id", "name", "symbol", "currencyprecision", "isbasecurrency", "exchangerate"],
    "accountingperiod": [
        "id", "periodname", "startdate", "enddate", "closed", "alllocked", "arlocked",
        "isposting", "isquarter", "isyear", "isadjust",
    ],
    "account": [
        "id", "acctnumber", "accttype", "fullname", "currency", "subsidiary", "isinactive",
        "issummary", "parent",
    ],
    "customer": ["id", "entityid", "companyname", "currency", "subsidiary", "externalid"],
    "consolidatedexchangerate": [
        "id", "postingperiod", "fromcurrency", "tocurrency", "fromsubsidiary", "tosubsidiary",
        "averagerate", "currentrate", "historicalrate", "accountingbook",
    ],
    "transaction": [
        "id", "transactionnumber", "type", "memo", "trandate", "status", "createddate",
        "duedate", "currency", "entity", "postingperiod", "posting", "isreversal", "reversal",
        "reversaldate", "externalid", *SYNC_COLUMNS,
    ],
    "transaction_deleted": ["id", "date_deleted"],
    "transactionline": [
        "id", "transaction", "subsidiary", "entity", "department", "class", "location", "item",
        "memo", "mainline", "netamount", "foreignamount", "quantity", "rate", "taxline",
        "transactionlinetype", *SYNC_COLUMNS,
    ],
    "transactionaccountingline": [
        "accountingbook", "transaction", "transactionline", "account", "amount", "debit",
        "credit", "netamount", "exchangerate", "posting", "amountpaid", "amountunpaid",
        *SYNC_COLUMNS,
    ],
}  # fmt: skip


def flag(value: bool) -> str:
    return "T" if value else "F"


def money(amount: Decimal, currency: str) -> str:
    digits = minor_units(currency)
    return f"{amount.quantize(Decimal(1).scaleb(-digits)):f}"


def rate_text(rate: Decimal) -> str:
    return f"{rate:f}"


def account_id(subsidiary: int, number: str) -> int:
    return subsidiary * 100 + [n for n, _, _ in CHART].index(number) + 1


@dataclass
class JournalLine:
    account: str
    foreign: Decimal  # signed, transaction currency: debit > 0, credit < 0
    memo: str
    taxline: bool = False
    functional: Decimal | None = None  # set by conversion


@dataclass
class Journal:
    external_id: str
    source_id: str
    kind: str  # invoice, credit_note, payment, refund
    trandate: date
    created: datetime
    currency: str
    subsidiary: int
    functional_currency: str
    entity: int | None  # the NetSuite customer; none on revenue recognition
    memo: str
    lines: list[JournalLine]
    period: Period | None = None
    exchange_rate: Decimal = Decimal(1)
    id: int = 0


@dataclass
class Erp:
    tables: dict[str, list[list[object]]] = field(default_factory=dict)
    journals: list[Journal] = field(default_factory=list)


def build_erp(world: World, plan: Plan, billing: Billing, rates: Rates) -> Erp:
    calendar = world.calendar
    erp = Erp()
    t = erp.tables
    t["subsidiary"] = [
        [e.subsidiary_id, e.name, e.name, e.code, e.country, CURRENCY_IDS[e.currency], 1, "F",
         "" if e.subsidiary_id == 1 else 1]
        for e in ENTITIES
    ]  # fmt: skip
    last_period = calendar.periods[-1]
    t["currency"] = [
        [cid, CURRENCY_NAMES[code], code, minor_units(code), flag(code == "USD"),
         rate_text(rates.month_end(last_period, code, "USD"))]
        for code, cid in CURRENCY_IDS.items()
    ]  # fmt: skip
    t["accountingperiod"] = [
        [p.id, p.name, p.start.isoformat(), p.end.isoformat(), flag(p.closed), flag(p.closed),
         flag(p.closed), "T", "F", "F", "F"]
        for p in calendar.periods
    ]  # fmt: skip
    t["account"] = [
        [account_id(e.subsidiary_id, number), number, kind, name,
         CURRENCY_IDS[e.currency] if kind == "Bank" else "", e.subsidiary_id, "F", "F", ""]
        for e in ENTITIES
        for number, kind, name in CHART
    ]  # fmt: skip
    t["customer"] = [
        [c.netsuite_id, f"CUST-{c.number:04d}", c.name, CURRENCY_IDS[c.currency],
         c.entity.subsidiary_id, c.account_id]
        for c in world.customers
    ]  # fmt: skip
    rows, rid = [], 0
    sub_of = {e.currency: e.subsidiary_id for e in ENTITIES}
    for period in calendar.periods:
        for source, target, average, month_end in rates.pairs(period):
            rid += 1
            rows.append(
                [rid, period.id, CURRENCY_IDS[source], CURRENCY_IDS[target], sub_of[source],
                 sub_of[target], rate_text(average), rate_text(month_end), rate_text(average), 1]
            )  # fmt: skip
    t["consolidatedexchangerate"] = rows

    journals = _journals(world, plan, billing, rates)
    accruals = accrued_months(world, billing)
    journals.extend(_revenue_recognition_journals(world, billing, accruals))
    journals.extend(_accrual_journals(world, billing, accruals))
    for journal in journals:
        _post(world, rates, journal)
    journals.sort(key=lambda j: (j.created, j.external_id))
    for number, journal in enumerate(journals, start=1):
        journal.id = number
    erp.journals = journals
    synced = calendar.extracted_at - timedelta(minutes=1)
    t["transaction"], t["transactionline"], t["transactionaccountingline"] = [], [], []
    t["transaction_deleted"] = []
    for j in journals:
        _transaction_rows(t, j, "Journal", deleted=False, synced=synced)
    for j, kind, how in _other_transactions(journals, len(journals)):
        _transaction_rows(t, j, kind, deleted=how == "flag", synced=synced)
        if how == "extract":
            t["transaction_deleted"].append([j.id, _ns_time(synced)])
    return erp


def _ns_time(moment: datetime) -> str:
    """A NetSuite2 timestamp as Fivetran writes it: no leading zero on the hour."""
    return f"{moment:%Y-%m-%d} {moment.hour}:{moment:%M:%S}"


def _transaction_rows(t: dict, j: Journal, kind: str, *, deleted: bool, synced: datetime) -> None:
    sync = [flag(deleted), _ns_time(synced)]
    t["transaction"].append(
        [j.id, f"JE{j.id:05d}", kind, j.memo, j.trandate.isoformat(),
         "Approved for Posting", j.created.strftime("%Y-%m-%d %H:%M:%S"), "",
         CURRENCY_IDS[j.currency], j.entity, j.period.id, "T", "F", "", "", j.external_id, *sync]
    )  # fmt: skip
    for n, line in enumerate(j.lines):
        functional = line.functional
        t["transactionline"].append(
            [n, j.id, j.subsidiary, j.entity, "", "", "", "", line.memo, flag(n == 0),
             money(functional, j.functional_currency), money(line.foreign, j.currency),
             "", "", flag(line.taxline), "", *sync]
        )  # fmt: skip
        absolute = money(abs(functional), j.functional_currency)
        debit = functional > 0 or (functional == 0 and line.foreign >= 0)
        t["transactionaccountingline"].append(
            [1, j.id, n, account_id(j.subsidiary, line.account),
             money(functional, j.functional_currency),
             absolute if debit else "", absolute if not debit else "",
             money(functional, j.functional_currency), rate_text(j.exchange_rate), "T", "",
             "", *sync]
        )  # fmt: skip


def _other_transactions(journals: list[Journal], last_id: int) -> list[tuple[Journal, str, str]]:
    """What a real extract holds besides usage-to-cash's journals: a vendor bill and two deleted
    copies of journals (deleted by a deletion extract, and by `_fivetran_deleted`), as
    (journal, transaction type, how it is deleted: "" / "extract" / "flag")."""
    once = {}
    for j in journals:
        once[j.external_id] = j.external_id not in once
    invoice = next((j for j in journals if j.kind == "invoice" and once[j.external_id]), None)
    payment = next((j for j in journals if j.kind == "payment" and once[j.external_id]), None)
    if invoice is None or payment is None:
        return []
    copies = []
    for n, (original, how) in enumerate(((invoice, "extract"), (payment, "flag")), start=1):
        copy = replace(original, id=last_id + n)
        copies.append((copy, "Journal", how))
    amount = VENDOR_BILL
    bill = replace(
        invoice,
        id=last_id + len(copies) + 1,
        external_id="",
        source_id="",
        kind="vendor_bill",
        currency=invoice.functional_currency,
        entity=None,
        memo="Hosting (vendor bill)",
        lines=[
            JournalLine(HOSTING, amount, "Hosting", functional=amount),
            JournalLine(PAYABLE, -amount, "Accounts payable", functional=-amount),
        ],
        exchange_rate=Decimal(1),
    )
    return [*copies, (bill, "VendBill", "")]


def _journal(world, kind, document_id, prefix, trandate, created, sub, memo, lines, entity=None):
    customer = sub.customer
    return Journal(
        external_id=f"U2C-{prefix}-{document_id}",
        source_id=document_id,
        kind=kind,
        trandate=trandate,
        created=min(created, world.calendar.extracted_at - timedelta(minutes=1)),
        currency=sub.currency,
        subsidiary=customer.entity.subsidiary_id,
        functional_currency=customer.entity.currency,
        entity=entity if entity is not None else customer.netsuite_id,
        memo=memo,
        lines=[x for x in lines if x.foreign != 0],
    )


def _invoice_lines(currency: str, total: int, revenue: list[tuple[str, int, str]], tax: int):
    """Dr AR for the total; Cr each revenue line on its account; Cr tax."""
    lines = [JournalLine(AR, to_major(total, currency), "Accounts receivable")]
    for account, amount, memo in revenue:
        lines.append(JournalLine(account, -to_major(amount, currency), memo))
    lines.append(JournalLine(TAX, -to_major(tax, currency), "Sales tax payable", taxline=True))
    return lines


def _invoice_journals(world: World, plan: Plan, invoice: Invoice) -> list[Journal]:
    """One credit line per invoice line, so lineage reaches the line (`il_…` in the memo)."""
    sub, mkey = invoice.subscription, month_key(invoice.month)
    if (sub.id, mkey) in plan.unexported_invoices:
        return []
    revenue = [
        (line.account, line.amount, f"{line.description} ({line.id})") for line in invoice.lines
    ]
    total = invoice.total
    if (sub.id, mkey) in plan.amount_mismatch:
        delta = to_minor(
            Decimal(ERP_AMOUNT_DELTA_MAJOR * (100 if sub.currency == "JPY" else 1)), sub.currency
        )
        total += delta
        largest = max(range(len(revenue)), key=lambda k: (revenue[k][1], -k))
        account, amount, memo = revenue[largest]
        revenue[largest] = (account, amount + delta, memo)
    memo = f"usage-to-cash: invoice {invoice.number} ({invoice.id})"
    versions = {
        x.business_transaction_id for x in invoice.lines if x.business_transaction_id is not None
    }
    if versions:
        memo += " " + ", ".join(sorted(versions))
    exports = [invoice.finalized_at + EXPORT_DELAY]
    if (sub.id, mkey) in plan.posted_twice:  # imported again a day later
        exports.append(invoice.finalized_at + timedelta(days=1) + EXPORT_DELAY)
    return [
        _journal(
            world,
            "invoice",
            invoice.id,
            "INV",
            invoice.finalized_at.date(),
            exported,
            sub,
            memo,
            _invoice_lines(sub.currency, total, revenue, invoice.tax),
        )
        for exported in exports
    ]


def _credit_note_journal(world: World, note: CreditNote) -> Journal | None:
    if note.plan.anomaly == "credit_note_not_reversed":
        return None
    sub = note.invoice.subscription
    currency = sub.currency
    lines = [
        JournalLine(
            line.invoice_line.account,
            to_major(line.amount, currency),
            f"{line.description} ({line.id} on {line.invoice_line.id})",
        )
        for line in note.lines
    ]
    lines.append(JournalLine(TAX, to_major(note.tax, currency), "Sales tax payable", taxline=True))
    lines.append(JournalLine(AR, -to_major(note.total, currency), "Accounts receivable"))
    return _journal(
        world,
        "credit_note",
        note.id,
        "CN",
        note.effective_at.date(),
        note.created + EXPORT_DELAY,
        sub,
        f"usage-to-cash: credit note {note.number} ({note.id}) on {note.invoice.id}",
        lines,
    )


def _payment_journal(world: World, plan: Plan, charge: Charge) -> Journal:
    invoice = charge.invoice
    sub, mkey = invoice.subscription, month_key(invoice.month)
    currency = sub.currency
    amount = to_major(charge.amount, currency)
    credit_account, entity = AR, None
    if (sub.id, mkey) in plan.payment_unapplied:
        credit_account = UNAPPLIED
    other = plan.payment_misapplied.get((sub.id, mkey))
    if other is not None:
        entity = world.by_id[other].customer.netsuite_id
    lines = [
        JournalLine(CLEARING, amount, "Stripe clearing"),
        JournalLine(
            credit_account,
            -amount,
            "Unapplied cash" if credit_account == UNAPPLIED else "Accounts receivable",
        ),
    ]
    return _journal(
        world,
        "payment",
        charge.id,
        "PAY",
        charge.created.date(),
        charge.created + EXPORT_DELAY,
        sub,
        f"usage-to-cash: payment {charge.id} for {invoice.id}",
        lines,
        entity=entity,
    )


def _refund_journal(world: World, refund: Refund) -> Journal | None:
    if refund.credit_note.plan.anomaly == "refund_not_recorded":
        return None
    sub = refund.charge.invoice.subscription
    amount = to_major(refund.amount, sub.currency)
    lines = [
        JournalLine(AR, amount, "Accounts receivable"),
        JournalLine(CLEARING, -amount, "Stripe clearing"),
    ]
    return _journal(
        world,
        "refund",
        refund.id,
        "REF",
        refund.created.date(),
        refund.created + EXPORT_DELAY,
        sub,
        f"usage-to-cash: refund {refund.id} of {refund.charge.id}",
        lines,
    )


def _unknown_posting(world: World, plan: Plan) -> Journal | None:
    if plan.unknown_erp_posting is None:
        return None
    invoice_id, sub_id, mkey = plan.unknown_erp_posting
    sub = world.by_id[sub_id]
    month = next(m for m in world.calendar.invoiced_months if month_key(m) == mkey)
    finalized = world.calendar.finalized_at(month)
    currency = sub.currency
    fee = to_minor(platform_fee(sub.versions[0].plan, currency), currency)
    tax = tax_amount(fee, sub.customer.entity.tax_rate)
    return _journal(
        world,
        "invoice",
        invoice_id,
        "INV",
        finalized.date(),
        finalized + EXPORT_DELAY,
        sub,
        f"usage-to-cash: invoice ({invoice_id})",
        _invoice_lines(currency, fee + tax, [(GL_DEFERRED_REVENUE, fee, "Platform fee")], tax),
    )


def _fee_journals(world: World, plan: Plan, billing: Billing) -> list[Journal]:
    """`U2C-FEE-<balance transaction>` per processor fee (settlement currency, dated as its
    charge or refund): Dr 6100 processing fees, Cr 1150 Stripe clearing; the export_not_posted
    payment's is exported but never posted."""
    charges = {c.id: c for c in billing.charges}
    refunds = {r.id: r for r in billing.refunds}
    journals = []
    for txn in billing.balance_transactions:
        charge = charges.get(txn.source) or refunds[txn.source].charge
        invoice = charge.invoice
        key = (invoice.subscription.id, month_key(invoice.month))
        if txn.fee == 0 or (txn.source in charges and key in plan.unposted_fee_journals):
            continue
        sub = invoice.subscription
        fee = to_major(txn.fee, txn.currency)
        journal = _journal(
            world,
            "processor_fee",
            txn.id,
            "FEE",
            txn.created.date(),
            txn.created + EXPORT_DELAY,
            sub,
            f"usage-to-cash: processor fee {txn.id} of {txn.source}",
            [
                JournalLine(FEES, fee, "Payment processing fees"),
                JournalLine(CLEARING, -fee, "Processor clearing"),
            ],
        )
        journals.append(replace(journal, currency=txn.currency))
    return journals


def _realized_fx_journals(
    world: World, plan: Plan, billing: Billing, rates: Rates
) -> list[Journal]:
    """`U2C-FX-<charge>` of each foreign-currency payment that realized FX (billing.realized_fx),
    in the functional currency, dated as the payment."""
    journals = []
    for charge in billing.charges:
        fx = realized_fx(world, rates, charge)
        if fx is None:
            continue
        sub = charge.invoice.subscription
        journal = _journal(
            world,
            "realized_fx",
            charge.id,
            "FX",
            charge.created.date(),
            charge.created + EXPORT_DELAY,
            sub,
            f"usage-to-cash: realized FX on {charge.id}",
            [
                JournalLine(x["account"], Decimal(x["debit"]) - Decimal(x["credit"]), "Realized FX")
                for x in fx["lines"]
            ],
        )
        journals.append(replace(journal, currency=fx["currency"]))
    return journals


def _journals(world: World, plan: Plan, billing: Billing, rates: Rates) -> list[Journal]:
    journals: list[Journal] = []
    for invoice in billing.invoices:
        journals.extend(_invoice_journals(world, plan, invoice))
    for note in billing.credit_notes:
        if (journal := _credit_note_journal(world, note)) is not None:
            journals.append(journal)
    for charge in billing.charges:
        journals.append(_payment_journal(world, plan, charge))
    for refund in billing.refunds:
        if (journal := _refund_journal(world, refund)) is not None:
            journals.append(journal)
    if (journal := _unknown_posting(world, plan)) is not None:
        journals.append(journal)
    journals.extend(_fee_journals(world, plan, billing))
    journals.extend(_realized_fx_journals(world, plan, billing, rates))
    return journals


def _spread(amount: int, start: datetime, end: datetime) -> list[tuple[date, int]]:
    """`amount` (minor units) per UTC day of [start, end), each day weighted by its seconds in
    the period: floor shares, the units left one each to the largest remainders (ties: the
    earliest day); the sign of `amount`."""
    first, last = start.date(), (end - timedelta(seconds=1)).date()
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    weights = [
        int((min(end, at(day + timedelta(days=1))) - max(start, at(day))).total_seconds())
        for day in days
    ]
    total, units = sum(weights), abs(amount)
    shares = [units * w // total for w in weights]
    remainders = [units * w % total for w in weights]
    by_remainder = sorted(range(len(days)), key=lambda k: (-remainders[k], days[k]))
    for k in by_remainder[: units - sum(shares)]:
        shares[k] += 1
    sign = -1 if amount < 0 else 1
    return list(zip(days, [sign * share for share in shares], strict=True))


Accruals = dict[tuple[str, str], tuple[Period, "Period | None"]]


def accrued_months(world: World, billing: Billing) -> Accruals:
    """(subscription, 'YYYY-MM') -> (accrual period, reversal period or None) of every month
    whose service ended before the extracts while its invoice was not posted by the period the
    accrual posts in (the first open one from the month's last day): accrued at that period's
    end, reversed in the invoice's posting period (never while not invoiced)."""
    calendar = world.calendar
    periods = {p.key for p in calendar.periods}
    out = {}
    for (sub_id, mkey), _ in billing.expected.items():
        month = date.fromisoformat(mkey + "-01")
        last_day = add_months(month, 1) - timedelta(days=1)
        if month_key(last_day) not in periods:
            continue
        accrual = calendar.posting_period(last_day)
        invoice = billing.invoice_for(sub_id, mkey)
        posted = calendar.posting_period(invoice.finalized_at.date()) if invoice else None
        if posted is None or posted.key > accrual.key:
            out[(sub_id, mkey)] = (accrual, posted)
    return out


def _accrual_journals(world: World, billing: Billing, accruals: Accruals) -> list[Journal]:
    """U2C-ACCR-<entity>-<YYYY-MM>-<currency> (Dr 1250 unbilled receivable for the total, Cr each
    account the lines map to: 2100 for fee and prorations, 4100 for usage and true-up), dated the
    accrual period's last day; U2C-ACCR-REV-… in the invoices' posting period, on its first day,
    the same lines with the sides swapped."""
    calendar = world.calendar
    subs = {s.id: s for s in world.subscriptions}
    # (kind, entity, currency, period key) -> account -> amount (minor units, credit > 0)
    amounts: dict[tuple[str, str, str, str], dict[str, int]] = {}
    periods: dict[str, Period] = {}
    for (sub_id, mkey), (accrual, reversal) in sorted(accruals.items()):
        sub = subs[sub_id]
        for move, period in (("ACCR", accrual), ("ACCR-REV", reversal)):
            if period is None:
                continue
            periods[period.key] = period
            key = (move, sub.customer.entity.code, sub.currency, period.key)
            by_account = amounts.setdefault(key, {})
            for line in billing.expected[(sub_id, mkey)]:
                by_account[line.account] = by_account.get(line.account, 0) + line.amount
    journals = []
    for (move, code, currency, key), by_account in sorted(amounts.items()):
        entity, period = ENTITY_BY_CODE[code], periods[key]
        total = sum(by_account.values())
        sign = 1 if move == "ACCR" else -1
        unbilled = JournalLine(UNBILLED, sign * to_major(total, currency), "Unbilled receivable")
        revenue = [
            JournalLine(account, -sign * to_major(by_account[account], currency), "Revenue accrued")
            for account in sorted(by_account)
        ]
        lines = [unbilled, *revenue] if move == "ACCR" else [*revenue, unbilled]
        day = period.end if move == "ACCR" else period.start
        source_id = f"{code}-{key}-{currency}"
        journals.append(
            Journal(
                external_id=f"U2C-{move}-{source_id}",
                source_id=source_id,
                kind="revenue_accrual",
                trandate=day,
                created=min(
                    at(day + timedelta(days=1)) + EXPORT_DELAY,
                    calendar.extracted_at - timedelta(minutes=1),
                ),
                currency=currency,
                subsidiary=entity.subsidiary_id,
                functional_currency=entity.currency,
                entity=None,
                memo=f"usage-to-cash: revenue accrual {key} {code} {currency}",
                lines=[x for x in lines if x.foreign != 0],
            )
        )
    return journals


def _revenue_recognition_journals(world: World, billing: Billing, accruals: dict) -> list[Journal]:
    """Revenue recognition of the deferred lines (platform fee, prorations), per legal entity x
    recognition period x currency, for the periods the ERP has: a day of a month accrued before
    its invoice posted counts in its own posting period (and a fee accrued but not invoiced is
    recognized from the accrual, into the revenue account of the product the subscription was
    last invoiced for), any other day no earlier than its document's."""
    calendar = world.calendar
    periods = {p.key: p for p in calendar.periods}
    revenue_account = {
        product["id"]: product["metadata"]["gl_revenue_account"]
        for product in billing.book.products.values()
    }

    def posting_key(day: date) -> str:
        key = month_key(day)
        return calendar.posting_period(day).key if key in periods else key

    def deferred(line: Line) -> bool:
        return line.kind == "platform_fee" or line.proration

    # (entity, currency, period) -> account -> amount (minor units, debit > 0)
    amounts: dict[tuple[str, str, str], dict[str, int]] = {}

    invoice_of = {line.id: invoice for invoice in billing.invoices for line in invoice.lines}

    def recognize(
        line: Line, amount: int, sub: Subscription, document_day: date, accrued: bool
    ) -> None:
        entity = sub.customer.entity.code
        document_key = calendar.posting_period(document_day).key
        revenue = revenue_account[line.price["product"]]
        for day, share in _spread(amount, line.period_start, line.period_end):
            key = posting_key(day) if accrued else max(posting_key(day), document_key)
            if key not in periods or share == 0:
                continue
            by_account = amounts.setdefault((entity, sub.currency, key), {})
            by_account[line.account] = by_account.get(line.account, 0) + share
            by_account[revenue] = by_account.get(revenue, 0) - share

    for invoice in billing.invoices:
        accrued = (invoice.subscription.id, month_key(invoice.month)) in accruals
        for line in invoice.lines:
            if deferred(line):
                day = invoice.finalized_at.date()
                recognize(line, line.amount, invoice.subscription, day, accrued)
    for note in billing.credit_notes:
        for credit in note.lines:
            if deferred(credit.invoice_line):
                invoice = invoice_of[credit.invoice_line.id]
                day = note.effective_at.date()
                recognize(credit.invoice_line, -credit.amount, invoice.subscription, day, False)
    subs = {s.id: s for s in world.subscriptions}
    for (sub_id, mkey), (accrual, _) in accruals.items():
        if billing.invoice_for(sub_id, mkey) is not None:
            continue
        for line in billing.expected[(sub_id, mkey)]:
            if deferred(line):
                recognize(line, line.amount, subs[sub_id], accrual.end, True)

    journals = []
    for (code, currency, key), by_account in sorted(amounts.items()):
        entity, period = ENTITY_BY_CODE[code], periods[key]
        lines = [
            JournalLine(
                account,
                to_major(by_account[account], currency),
                "Deferred revenue recognized" if account == GL_DEFERRED_REVENUE else "Revenue",
            )
            for account in sorted(by_account, key=lambda a: (a != GL_DEFERRED_REVENUE, a))
            if by_account[account] != 0
        ]
        if not lines:
            continue
        source_id = f"{code}-{key}-{currency}"
        journals.append(
            Journal(
                external_id=f"U2C-RR-{source_id}",
                source_id=source_id,
                kind="revenue_recognition",
                trandate=period.end,
                created=min(
                    at(period.end + timedelta(days=1)) + EXPORT_DELAY,
                    calendar.extracted_at - timedelta(minutes=1),
                ),
                currency=currency,
                subsidiary=entity.subsidiary_id,
                functional_currency=entity.currency,
                entity=None,
                memo=f"usage-to-cash: revenue recognition {key} {code} {currency}",
                lines=lines,
            )
        )
    return journals


def _post(world: World, rates: Rates, journal: Journal) -> None:
    """Posting period, exchange rate, functional amounts and the rounding line."""
    calendar = world.calendar
    journal.period = calendar.posting_period(journal.trandate)
    rate = rates.average(journal.period, journal.currency, journal.functional_currency)
    journal.exchange_rate = rate
    for line in journal.lines:
        line.functional = rates.convert(
            journal.period, line.foreign, journal.currency, journal.functional_currency
        )
    difference = sum(line.functional for line in journal.lines)
    if difference:
        journal.lines.append(
            JournalLine(
                ROUNDING, Decimal(0), "Rounding (currency conversion)", functional=-difference
            )
        )


def cross_rate_journals(erp: Erp, faulty: set[str]) -> list[dict]:
    """The journals usage-to-cash must convert through USD, as the answer key expects them: per
    legal entity and currency neither its functional currency nor USD (no rate of its own in the
    ERP), the first invoice journal posted as sent (no injected ERP discrepancy, not moved),
    with each line's foreign and functional amount (rounded once: `Rates.convert`). `faulty`:
    External IDs the anomalies post otherwise than sent."""
    code = {e.subsidiary_id: e.code for e in ENTITIES}
    seen: set[tuple[str, str]] = set()
    out = []
    for j in sorted(erp.journals, key=lambda j: (j.trandate, j.external_id)):
        key = (code[j.subsidiary], j.currency)
        if (
            j.kind != "invoice"
            or j.currency in (j.functional_currency, "USD")
            or key in seen
            or j.external_id in faulty
            or j.period is None
            or j.period.key != month_key(j.trandate)
        ):
            continue
        seen.add(key)
        out.append(
            {
                "journal_id": j.external_id,
                "legal_entity": key[0],
                "posting_period": j.period.key,
                "currency": j.currency,
                "functional_currency": j.functional_currency,
                "via_currency": "USD",
                "lines": [
                    {
                        "account": line.account,
                        "amount": money(line.foreign, j.currency),
                        "functional_amount": money(line.functional, j.functional_currency),
                    }
                    for line in j.lines
                ],
            }
        )
    return out


def accrual_journals(erp: Erp) -> list[dict]:
    """An accrual and its reversal as the answer key expects them: the first revenue accrual
    journal (U2C-ACCR-…) whose entity and currency also have a reversal (U2C-ACCR-REV-…, when the
    invoices post), each with its lines' foreign and functional amounts."""
    code = {e.subsidiary_id: e.code for e in ENTITIES}
    accruals = sorted(
        (j for j in erp.journals if j.kind == "revenue_accrual"), key=lambda j: j.external_id
    )
    for accrual in (j for j in accruals if not j.external_id.startswith("U2C-ACCR-REV-")):
        reversal = next(
            (
                j
                for j in accruals
                if j.external_id.startswith("U2C-ACCR-REV-")
                and (j.subsidiary, j.currency) == (accrual.subsidiary, accrual.currency)
                and j.trandate > accrual.trandate
            ),
            None,
        )
        if reversal is None:
            continue
        return [
            {
                "journal_id": j.external_id,
                "legal_entity": code[j.subsidiary],
                "posting_period": j.period.key,
                "posting_date": j.trandate.isoformat(),
                "currency": j.currency,
                "functional_currency": j.functional_currency,
                "lines": [
                    {
                        "account": line.account,
                        "amount": money(line.foreign, j.currency),
                        "functional_amount": money(line.functional, j.functional_currency),
                    }
                    for line in j.lines
                ],
            }
            for j in (accrual, reversal)
        ]
    return []
