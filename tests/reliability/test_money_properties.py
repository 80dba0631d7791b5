"""Money properties, for random amounts, currencies (0 to 4 minor units: JPY, USD, KWD, CLF),
exchange rates and proration spans, in both homes of the arithmetic: the Python rating and
export planning (`demo_world/rating.py`, `exports/journal_plan.py`) and the dbt models
(`int_journal_lines_posted`, `int_revenue_lines_allocated`, `int_usage_tiers_rated`), whose
compiled SQL runs in DuckDB on the generated inputs (`dbt_sql.py`).

- every derived journal balances per journal, entity and currency, in transaction and in
  functional currency, with amounts at their currency's minor unit;
- a remainder allocation sums exactly to what it allocates;
- rating does not depend on the order of events or input rows, and the SQL rates exactly as
  the Python reference does.
"""

from __future__ import annotations

import csv
import decimal
import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from demo_world import rating
from demo_world.rating import PriceTerm, Tier
from exports.formats.lines import exact_sum
from exports.journal_plan import Period, SentJournal, reverse, summarize
from sources.contract import EXACT
from tests.reliability.dbt_sql import DBT_PROJECT, run_model

SEED = DBT_PROJECT / "seeds" / "currencies.csv"
with open(SEED, newline="") as _fh:
    CURRENCY_ROWS = [
        (r["currency"], int(r["minor_units"]), int(r["stripe_minor_units"]))
        for r in csv.DictReader(_fh)
    ]
MINOR = {code: digits for code, digits, _ in CURRENCY_ROWS}
CURRENCY_TABLE = {"currency": "varchar", "minor_units": "integer", "stripe_minor_units": "integer"}
ENTITIES = {"US01": "USD", "JP01": "JPY", "KW01": "KWD", "NL01": "EUR"}
MAX_QUANTITY = 10**10  # dbt var rating_max_quantity (prices generated stay below the price bound)
# journal_lines is int_journal_lines_posted without held journals: the posting logic lives there;
# the `compiled` fixture (conftest.py) compiles it, int_revenue_lines_allocated and
# int_usage_tiers_rated


def step(currency: str) -> Decimal:
    return Decimal(1).scaleb(-MINOR[currency])


def at_minor(value: Decimal, currency: str) -> bool:
    return value == value.quantize(step(currency))


currencies = st.sampled_from(sorted(MINOR))
# amounts in major units with up to 9 decimals, plus the values rounding turns on
amounts = st.one_of(
    st.decimals(min_value=-(10**9), max_value=10**9, places=9),
    st.sampled_from([Decimal("0.005"), Decimal("0.0005"), Decimal("0.5"), Decimal("1.5")]),
    st.decimals(min_value=-(10**12), max_value=10**12, places=2),
)
rates = st.decimals(min_value=Decimal("0.000001"), max_value=Decimal(5000), places=12).filter(
    lambda r: r > 0
)


# --- Python -------------------------------------------------------------------------------


@given(st.integers(-(10**15), 10**15), st.lists(st.integers(0, 10**9), min_size=1, max_size=30))
def test_allocation_sums_exactly(total, weights):
    shares = rating.allocate(total, weights)
    assert sum(shares) == total
    assert len(shares) == len(weights)


@given(
    st.decimals(min_value=0, max_value=10**9, places=4),
    st.integers(1, 400 * 86_400),
    st.data(),
    currencies,
)
def test_proration_stays_within_the_fee_and_grows_with_time(fee, period, data, currency):
    fee = fee.quantize(step(currency))
    first = data.draw(st.integers(0, period))
    second = data.draw(st.integers(first, period))
    low = rating.prorate(fee, first, period, currency)
    high = rating.prorate(fee, second, period, currency)
    full = rating.to_minor(fee, currency)
    assert 0 <= low <= high <= full
    assert rating.prorate(fee, period, period, currency) == full


@st.composite
def price_terms(draw) -> PriceTerm:
    model = draw(st.sampled_from(rating.PRICING_MODELS))
    count = 1 if model == "per_unit" else draw(st.integers(1, 4))
    bounds = sorted(draw(st.sets(st.integers(1, 10**7), min_size=count - 1, max_size=count - 1)))
    prices = st.decimals(min_value=0, max_value=1000, places=draw(st.integers(0, 9)))
    fees = st.decimals(min_value=0, max_value=10_000, places=2)
    tiers = tuple(
        Tier(up_to, draw(prices), Decimal(0) if model == "per_unit" else draw(fees))
        for up_to in [*bounds, None]
    )
    return PriceTerm(
        metric="api_calls",
        pricing_model=model,
        tiers=tiers,
        included_units=draw(st.integers(0, 10_000)),
        unit_divisor=draw(st.sampled_from([1, 1000, 10**6, 10**9])),
        rounding=draw(st.sampled_from(rating.ROUNDINGS)),
    )


quantities = st.one_of(
    st.integers(0, 10**12).map(Decimal),
    st.decimals(min_value=0, max_value=10**12, places=9),
    st.just(Decimal(0)),
    # huge: what a usage event may carry (below 10^29, the limit of DECIMAL(38, 9))
    st.sampled_from([Decimal(10**20), Decimal(10**28), Decimal("99999999999999999999999999999")]),
)


@given(price_terms(), st.lists(quantities, min_size=1, max_size=40), currencies, st.randoms())
def test_python_rating_is_invariant_to_event_order(term, events, currency, rnd):
    shuffled = list(events)
    rnd.shuffle(shuffled)
    # summed exactly, as the warehouse sums decimal(38, 9) (Python's default context rounds at
    # 28 digits, and then the order of the events changes the total)
    assert rating.rate_usage(exact_sum(events), term, currency) == rating.rate_usage(
        exact_sum(shuffled), term, currency
    )


@st.composite
def balanced_export_lines(draw) -> list[dict]:
    """Export lines of several journals, each balanced in transaction and functional currency
    (the journal_lines contract), as the export ledger carries them. Built with exact decimal
    arithmetic (the default context rounds at 28 digits, even a unary minus)."""
    lines = []
    # up to 29 digits: a total of such lines needs more than Python's default 28
    minor_units = st.one_of(st.integers(-(10**9), 10**9), st.integers(-(10**29), 10**29))
    for number in range(draw(st.integers(1, 5))):
        entity = draw(st.sampled_from(sorted(ENTITIES)))
        currency = draw(currencies)
        day = draw(st.dates(date(2026, 1, 1), date(2028, 12, 31)))
        rate = Decimal(1) if currency == ENTITIES[entity] else draw(rates)
        count = draw(st.integers(1, 5))
        drawn = [draw(minor_units) for _ in range(count)]
        accounts = [draw(st.sampled_from(["1200", "4000", "2400"])) for _ in range(count + 1)]
        with decimal.localcontext(EXACT):
            amounts = [units * step(currency) for units in drawn]
            amounts.append(-sum(amounts))
            functional = [(a * rate).quantize(step(ENTITIES[entity])) for a in amounts]
            functional[-1] -= sum(functional)  # the conversion rounding, booked on one line
            for index, (amount, func) in enumerate(zip(amounts, functional, strict=True)):
                lines.append(
                    {
                        "journal_id": f"J{number}",
                        "external_id": f"J{number}",
                        "line_number": index + 1,
                        "legal_entity": entity,
                        "posting_date": day,
                        "currency": currency,
                        "exchange_rate": rate,
                        "account": accounts[index],
                        "department": None,
                        "class": None,
                        "location": None,
                        "memo": "",
                        "functional_currency": ENTITIES[entity],
                        "debit": max(amount, Decimal(0)),
                        "credit": max(-amount, Decimal(0)),
                        "functional_debit": max(func, Decimal(0)),
                        "functional_credit": max(-func, Decimal(0)),
                    }
                )
    return lines


def assert_balanced(lines: list[dict], key: str = "external_id") -> None:
    totals: dict[tuple, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 4)
    for line in lines:
        group = totals[(line[key], line["legal_entity"], line["currency"])]
        for i, field in enumerate(("debit", "credit", "functional_debit", "functional_credit")):
            group[i] = EXACT.add(group[i], line[field])
    for group, (debit, credit, f_debit, f_credit) in totals.items():
        assert debit == credit, (group, debit, credit)
        assert f_debit == f_credit, (group, f_debit, f_credit)


OPEN_PERIODS = [
    Period(key, start, end, key, False, None, key)
    for _, key, start, end, _ in [
        (
            0,
            f"{y}-{m:02d}",
            date(y, m, 1),
            (date(y, m, 28) + timedelta(days=4)).replace(day=1) - timedelta(days=1),
            None,
        )
        for y in (2026, 2027, 2028)
        for m in range(1, 13)
    ]
]


@given(balanced_export_lines())
def test_summaries_and_reversals_of_balanced_journals_balance(lines):
    assert_balanced(lines)
    summary, drilldown = summarize(lines, "jb-0123456789abcdef")
    assert_balanced(summary)
    assert len(drilldown) == len(lines)
    by_journal = defaultdict(list)
    for line in lines:
        by_journal[line["external_id"]].append(line)
    for external_id, journal in by_journal.items():
        sent = SentJournal(external_id, external_id, 1, "x", tuple(journal), True)
        reversal = reverse(sent, OPEN_PERIODS)
        assert_balanced(reversal)
        for original, reversed_line in zip(journal, reversal, strict=True):
            assert reversed_line["debit"] == original["credit"]
            assert reversed_line["functional_credit"] == original["functional_debit"]


# --- the dbt models ------------------------------------------------------------------------

FISCAL_COLUMNS = {
    "period_id": "bigint",
    "fiscal_period": "varchar",
    "start_date": "date",
    "end_date": "date",
    "posting_fiscal_period": "varchar",
}


def month_starts(first: date, last: date) -> list[date]:
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(day)
        day = (day + timedelta(days=32)).replace(day=1)
    return months


# int_posting_periods: the fiscal periods with where and when a posting dated in them goes
POSTING_COLUMNS = FISCAL_COLUMNS | {
    "is_posting_period_moved": "boolean",
    "moved_posting_date": "date",
}


def posting_rows(fiscal: list[tuple]) -> list[tuple]:
    """fiscal_rows as int_posting_periods has them: a moved posting takes the first day of the
    period it moves to."""
    return [
        (*row, row[4] != row[1], date.fromisoformat(f"{row[4]}-01") if row[4] != row[1] else None)
        for row in fiscal
    ]


def fiscal_rows(closed: set[str]) -> list[tuple]:
    """Calendar months 2026-01..2029-12; a closed month posts into the first open one after."""
    months = month_starts(date(2026, 1, 1), date(2029, 12, 1))
    keys = [m.strftime("%Y-%m") for m in months]
    rows = []
    for index, month in enumerate(months):
        posting = next(k for k in keys[index:] if k not in closed)
        end = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        rows.append((index + 1, keys[index], month, end, posting))
    return rows


ENTRY_COLUMNS = {
    "journal_id": "varchar",
    "source_type": "varchar",
    "source_system": "varchar",
    "source_id": "varchar",
    "source_line_id": "varchar",
    "invoice_id": "varchar",
    "related_external_id": "varchar",
    "entry_group": "integer",
    "entry_index": "integer",
    "account": "varchar",
    "department": "varchar",
    "class": "varchar",
    "location": "varchar",
    "is_fallback_account": "boolean",
    "memo": "varchar",
    "currency": "varchar",
    "amount": "decimal(38, 9)",
    "legal_entity": "varchar",
    "functional_currency": "varchar",
    "original_date": "date",
    "customer_id": "varchar",
    "crm_account_id": "varchar",
    "netsuite_customer_id": "bigint",
    "business_transaction_id": "varchar",
    "batch_id": "varchar",
}


@st.composite
def journal_inputs(draw):
    closed = set(draw(st.lists(st.sampled_from(["2026-02", "2028-02", "2028-03"]), max_size=2)))
    fiscal = fiscal_rows(closed)
    posting = {row[1]: row[4] for row in fiscal}
    entries, rate_rows, seen_rates = [], [], set()
    for number in range(draw(st.integers(1, 6))):
        entity = draw(st.sampled_from(sorted(ENTITIES)))
        currency = draw(currencies)
        day = draw(
            st.one_of(
                st.dates(date(2026, 1, 1), date(2028, 12, 31)),
                st.sampled_from([date(2028, 2, 29), date(2026, 3, 8), date(2026, 12, 31)]),
            )
        )
        values = [draw(amounts) for _ in range(draw(st.integers(1, 6)))]
        values.append(-sum(values))  # exactly balanced before rounding, as derived
        for index, amount in enumerate(values):
            entries.append(
                (
                    f"J{number}",
                    "invoice",
                    "billing",
                    f"in_{number}",
                    f"il_{number}_{index}",
                    f"in_{number}",
                    None,
                    1,
                    index,
                    f"4{index % 3}00",
                    None,
                    None,
                    None,
                    False,
                    "memo",
                    currency,
                    amount,
                    entity,
                    ENTITIES[entity],
                    day,
                    "cus_1",
                    "ACC-1",
                    1,
                    "BTX-1",
                    "batch",
                )
            )
        key = (posting[day.strftime("%Y-%m")], currency, ENTITIES[entity])
        if currency != ENTITIES[entity] and key not in seen_rates:
            seen_rates.add(key)
            first = draw(rates)
            # a pair the ERP has no direct rate for converts through the parent currency
            second = draw(st.one_of(st.none(), rates))
            path = "direct" if second is None else "triangulated"
            average = first if second is None else (first * second).quantize(Decimal("1e-12"))
            rate_rows.append((*key, len(rate_rows) + 1, path, first, second, average))
    return entries, fiscal, rate_rows


@given(journal_inputs())
def test_journal_lines_balance_in_transaction_and_functional_currency(compiled, generated):
    entries, fiscal, rate_rows = generated
    lines = run_model(
        compiled["int_journal_lines_posted"],
        {
            "intermediate.int_journal_entries_derived": (ENTRY_COLUMNS, entries),
            "intermediate.int_posting_periods": (POSTING_COLUMNS, posting_rows(fiscal)),
            "intermediate.int_exchange_rates_by_period": (
                {
                    "fiscal_period": "varchar",
                    "from_currency": "varchar",
                    "to_currency": "varchar",
                    "exchange_rate_id": "bigint",
                    "conversion_path": "varchar",
                    "first_rate": "decimal(38, 12)",
                    "second_rate": "decimal(38, 12)",
                    "average_rate": "decimal(38, 12)",
                },
                rate_rows,
            ),
            "main.currencies": (CURRENCY_TABLE, CURRENCY_ROWS),
        },
    )
    assert [line for line in lines if line["hold_reason"]] == []  # every rate and period given
    assert_balanced(lines, key="journal_id")
    for line in lines:
        assert min(line["debit"], line["credit"]) == 0 and line["debit"] >= 0 <= line["credit"]
        assert at_minor(line["debit"], line["currency"])
        assert at_minor(line["credit"], line["currency"])
        assert at_minor(line["functional_debit"], line["functional_currency"])
        assert at_minor(line["functional_credit"], line["functional_currency"])
    # nothing is lost: the transaction amounts the journals carry are the entries' rounded ones
    for journal in {e[0] for e in entries}:
        booked = sum(line["debit"] for line in lines if line["journal_id"] == journal)
        positive = [e for e in entries if e[0] == journal and e[16] > 0]
        exact = sum((e[16] for e in positive), Decimal(0))
        currency = next(e[15] for e in entries if e[0] == journal)
        assert abs(booked - exact) <= step(currency) * len(positive)


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


@st.composite
def revenue_inputs(draw):
    invoices, lines, notes, note_lines = [], [], [], []
    for number in range(draw(st.integers(1, 5))):
        currency = draw(currencies)
        finalized = draw(st.datetimes(datetime(2026, 1, 1), datetime(2028, 12, 1)))
        invoices.append((f"in_{number}", "paid", finalized, None))
        for index in range(draw(st.integers(1, 3))):
            start = draw(
                st.one_of(
                    st.datetimes(datetime(2026, 1, 1), datetime(2028, 6, 30)),
                    # DST changes (in UTC nothing moves), a leap day, a month end
                    st.sampled_from(
                        [datetime(2026, 3, 8, 7), datetime(2028, 2, 29), datetime(2026, 1, 31)]
                    ),
                )
            )
            span = draw(st.one_of(st.integers(1, 400 * 86_400), st.sampled_from([86_400, 1])))
            kind = draw(st.sampled_from(["platform_fee", "proration", "usage"]))
            minor_amount = draw(st.integers(-(10**9), 10**9))
            amount = minor_amount * step(currency)
            line_id = f"il_{number}_{index}"
            lines.append(
                (
                    line_id,
                    f"in_{number}",
                    "sub_1",
                    kind,
                    "api_calls",
                    "4000",
                    amount,
                    currency,
                    "US01",
                    start,
                    start + timedelta(seconds=span),
                    start.strftime("%Y-%m"),
                    index,
                )
            )
            if minor_amount > 0 and draw(st.booleans()):
                note = f"cn_{number}_{index}"
                notes.append((note, f"in_{number}", currency, finalized, "US01", None, "issued"))
                credited = draw(st.integers(1, minor_amount))
                note_lines.append((f"cnl_{number}_{index}", note, line_id, credited))
    return invoices, lines, notes, note_lines


@given(revenue_inputs())
def test_revenue_allocation_sums_exactly_to_each_line(compiled, generated):
    invoices, lines, notes, note_lines = generated
    rows = run_model(
        compiled["int_revenue_lines_allocated"],
        {
            "main.currencies": (CURRENCY_TABLE, CURRENCY_ROWS),
            "marts.invoices": (
                {
                    "invoice_id": "varchar",
                    "invoice_status": "varchar",
                    "finalized_at": "timestamp",
                    "posting_fiscal_period": "varchar",
                },
                invoices,
            ),
            "marts.invoice_lines": (
                {
                    "invoice_line_id": "varchar",
                    "invoice_id": "varchar",
                    "subscription_id": "varchar",
                    "line_kind": "varchar",
                    "metric": "varchar",
                    "gl_revenue_account": "varchar",
                    "amount": "decimal(38, 9)",
                    "currency": "varchar",
                    "legal_entity": "varchar",
                    "period_start": "timestamp",
                    "period_end": "timestamp",
                    "billing_period": "varchar",
                    "line_index": "integer",
                },
                lines,
            ),
            # nothing accrued: every line is recognized no earlier than its invoice posts
            "intermediate.int_revenue_accruals": (
                {
                    "accrual_line_id": "varchar",
                    "subscription_id": "varchar",
                    "billing_period": "varchar",
                    "line_kind": "varchar",
                    "metric": "varchar",
                    "amount": "decimal(38, 9)",
                    "currency": "varchar",
                    "legal_entity": "varchar",
                    "service_period_start": "timestamp",
                    "service_period_end": "timestamp",
                    "accrual_fiscal_period": "varchar",
                    "invoice_id": "varchar",
                },
                [],
            ),
            "marts.credit_notes": (
                {
                    "credit_note_id": "varchar",
                    "invoice_id": "varchar",
                    "currency": "varchar",
                    "effective_at": "timestamp",
                    "legal_entity": "varchar",
                    "posting_fiscal_period": "varchar",
                    "credit_note_status": "varchar",
                },
                notes,
            ),
            "staging.stg_billing__credit_note_lines": (
                {
                    "credit_note_line_id": "varchar",
                    "credit_note_id": "varchar",
                    "invoice_line_id": "varchar",
                    "amount_minor": "bigint",
                },
                note_lines,
            ),
            "intermediate.int_posting_periods": (
                POSTING_COLUMNS,
                posting_rows(fiscal_rows(set())),
            ),
        },
    )
    allocated: dict[tuple, int] = defaultdict(int)
    days: dict[tuple, list] = defaultdict(list)
    for row in rows:
        allocated[(row["source_type"], row["source_line_id"])] += row["amount_minor"]
        days[(row["source_type"], row["source_line_id"])].append(row)
    expected = {("invoice_line", l[0]): int(l[6] / step(l[7])) for l in lines}  # noqa: E741
    expected |= {("credit_note_line", n[0]): -n[3] for n in note_lines}
    assert dict(allocated) == expected
    for (source_type, line_id), shares in days.items():
        signs = {(s["amount_minor"] > 0) - (s["amount_minor"] < 0) for s in shares}
        assert len(signs - {0}) <= 1, (source_type, line_id)
        if shares[0]["is_deferred"]:  # one row per UTC day of the service period, each day once
            assert len({s["recognition_date"] for s in shares}) == len(shares)
            total_weight = sum(s["weight_seconds"] for s in shares)
            whole = abs(expected[(source_type, line_id)])
            for s in shares:  # within one minor unit of the exact share
                exact = Fraction(whole * s["weight_seconds"], total_weight)
                assert abs(abs(s["amount_minor"]) - exact) < 1


USAGE_COLUMNS = {
    "subscription_id": "varchar",
    "metric": "varchar",
    "billing_period": "varchar",
    "contract_id": "varchar",
    "contract_version": "integer",
    "legal_entity": "varchar",
    "currency": "varchar",
    "invoice_id": "varchar",
    "is_mapped": "boolean",
    "commercial_unit": "varchar",
    "unit_divisor": "bigint",
    "metered_quantity": "decimal(38, 9)",
    "on_time_quantity": "decimal(38, 9)",
    "late_quantity": "decimal(38, 9)",
    "commercial_quantity": "decimal(38, 9)",
}
SEGMENT_COLUMNS = {
    "subscription_id": "varchar",
    "metric": "varchar",
    "billing_period": "varchar",
    "segment_number": "integer",
    "segment_count": "integer",
    "segment_start": "timestamp",
    "segment_end": "timestamp",
    "contract_id": "varchar",
    "contract_version": "integer",
    "invoice_id": "varchar",
    "metered_quantity": "decimal(38, 9)",
    "on_time_quantity": "decimal(38, 9)",
    "late_quantity": "decimal(38, 9)",
}
PERIOD_COLUMNS = {
    "subscription_id": "varchar",
    "metric": "varchar",
    "billing_period": "varchar",
    "is_mapped": "boolean",
    "commercial_unit": "varchar",
    "unit_divisor": "bigint",
    "rounding": "varchar",
}
TERM_COLUMNS = {
    "amendment_id": "varchar",
    "metric": "varchar",
    "pricing_model": "varchar",
    "tier": "bigint",
    "up_to": "decimal(38, 9)",
    "unit_price": "decimal(38, 9)",
    "flat_fee": "decimal(38, 9)",
    "included_units": "decimal(38, 9)",
}


def rating_tables(term: PriceTerm, usage: list[tuple], rnd: random.Random) -> dict:
    terms = [
        (
            "AMD-1",
            term.metric,
            term.pricing_model,
            index,
            tier.up_to,
            tier.unit_price,
            tier.flat_fee,
            term.included_units if index == 1 else None,
        )
        for index, tier in enumerate(term.tiers, start=1)
    ]
    rnd.shuffle(terms)
    # the model reads the usage per contract-version segment and the period's unit facts
    column = {name: index for index, name in enumerate(USAGE_COLUMNS)}
    segments = [
        (
            *(row[column[c]] for c in ("subscription_id", "metric", "billing_period")),
            1,
            1,
            datetime(2026, 9, 1),
            datetime(2026, 10, 1),
            *(row[column[c]] for c in ("contract_id", "contract_version", "invoice_id")),
            *(row[column[c]] for c in ("metered_quantity", "on_time_quantity", "late_quantity")),
        )
        for row in usage
    ]
    # the meter in force at the period end gives the unit facts and the rounding
    facts = [c for c in PERIOD_COLUMNS if c != "rounding"]
    periods = [(*(row[column[c]] for c in facts), term.rounding) for row in usage]
    currency = usage[0][column["currency"]]
    return {
        "intermediate.int_usage_segments_classified": (SEGMENT_COLUMNS, segments),
        "marts.usage_by_period": (PERIOD_COLUMNS, periods),
        "marts.subscriptions": (
            {
                "contract_id": "varchar",
                "contract_version": "integer",
                "amendment_id": "varchar",
                "plan_code": "varchar",
                "legal_entity": "varchar",
                "currency": "varchar",
            },
            [("CTR-1", 1, "AMD-1", "growth", "US01", currency)],
        ),
        "main.currencies": (CURRENCY_TABLE, CURRENCY_ROWS),
        "staging.stg_crm__contract_price_terms": (TERM_COLUMNS, terms),
    }


@given(price_terms(), st.lists(quantities, min_size=1, max_size=8), currencies, st.randoms())
def test_sql_rating_matches_python_and_ignores_row_order(
    compiled, term, quantities_, currency, rnd
):
    usage = []
    for number, quantity in enumerate(quantities_):
        invoiced = number % 3 != 2
        commercial = rating.commercial_quantity(quantity, term.unit_divisor, term.rounding)
        usage.append(
            (
                f"sub_{number}",
                term.metric,
                "2026-09",
                "CTR-1",
                1,
                "US01",
                currency,
                f"in_{number}" if invoiced else None,
                True,
                "unit",
                term.unit_divisor,
                quantity,
                quantity,
                Decimal(0),
                Decimal(commercial),
            )
        )
    first = run_model(compiled["int_usage_tiers_rated"], rating_tables(term, usage, rnd))
    rnd.shuffle(usage)
    second = run_model(compiled["int_usage_tiers_rated"], rating_tables(term, usage, rnd))

    def key(row):
        return (row["subscription_id"], row["tier"])

    assert sorted(first, key=key) == sorted(second, key=key)
    for row in first:
        if not row["is_line_row"]:
            continue
        number = int(row["subscription_id"].removeprefix("sub_"))
        quantity, expected = rating.rate_usage(quantities_[number], term, currency)
        if quantity > MAX_QUANTITY:  # beyond exact 128-bit arithmetic: flagged, not rated
            assert (row["rating_status"], row["line_amount_minor"]) == ("out_of_range", None)
            continue
        assert row["rating_status"] == "rated"
        assert row["line_amount_minor"] == expected, row
    # the tiers of a line sum exactly to the line (the remainder goes to one tier)
    lines = defaultdict(int)
    for row in first:
        lines[row["subscription_id"]] += row["tier_amount_minor"] or 0
    for row in first:
        if row["is_line_row"] and row["rating_status"] == "rated":
            assert lines[row["subscription_id"]] == row["line_amount_minor"]
