"""What every ERP export format renders: export lines, the file context, and their checks.

An export line is a dict, one per journal line, with the keys of `LINE_KEYS` (money as
`Decimal`, dates as `datetime.date`, `line_number` and the minor units as `int`, text as `str`
or `None`). A renderer gets the lines of ONE legal entity and ONE posting period, already
ordered by (external_id, line_number), plus a `FileContext`; nothing in a file depends on the
clock, so the same input renders byte-identical files.

`journals(lines, ctx)` is the contract every renderer checks before writing a byte; it raises
`InvalidExportLines` when the lines break it:
- every key present; the required ones (`REQUIRED_KEYS`) not null; types as above;
- one legal entity and one posting period (those of `ctx` when given);
- the lines of a journal (same external_id) are adjacent, line numbers strictly increasing;
- a journal has one journal_id, kind, source type, currency (and its minor units), exchange
  rate, functional currency and posting date; a reversal names the journal it reverses;
- amounts are >= 0 and exact at their currency's minor unit; a line is on one side, the same
  in transaction and functional currency (a rounding line has only a functional amount);
- a ledger-currency line (currency = functional currency) has rate 1 and equal amounts;
- every journal balances in transaction and in functional currency.
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

# Canonical column order: identity, classification, dates, dimensions, text, money, lineage.
LINE_KEYS: tuple[str, ...] = (
    "external_id",
    "journal_id",
    "line_number",
    "journal_kind",
    "reverses_external_id",
    "source_type",
    "legal_entity",
    "posting_period",
    "posting_date",
    "original_date",
    "account",
    "department",
    "class",
    "location",
    "memo",
    "name",
    "currency",
    "minor_units",
    "exchange_rate",
    "debit",
    "credit",
    "functional_currency",
    "functional_minor_units",
    "functional_debit",
    "functional_credit",
    "source_system",
    "source_id",
    "source_line_id",
    "business_transaction_id",
    "batch_id",
)
EXPORT_LINE_KEYS = LINE_KEYS  # the name callers import
AMOUNT_KEYS = ("debit", "credit")
FUNCTIONAL_AMOUNT_KEYS = ("functional_debit", "functional_credit")
MONEY_KEYS = AMOUNT_KEYS + FUNCTIONAL_AMOUNT_KEYS
RATE_KEYS = ("exchange_rate",)
DATE_KEYS = ("posting_date", "original_date")
INT_KEYS = ("line_number", "minor_units", "functional_minor_units")
TEXT_KEYS = tuple(k for k in LINE_KEYS if k not in MONEY_KEYS + RATE_KEYS + DATE_KEYS + INT_KEYS)
REQUIRED_KEYS = (
    "external_id",
    "journal_id",
    "line_number",
    "journal_kind",
    "source_type",
    "legal_entity",
    "posting_period",
    "posting_date",
    "account",
    "currency",
    "minor_units",
    "exchange_rate",
    "functional_currency",
    "functional_minor_units",
    *MONEY_KEYS,
)
# "summary": the journals `exports.journal_plan.summarize` builds (kind and source type both).
JOURNAL_KINDS = ("original", "reversal", "correction", "summary")
SOURCE_TYPES = (
    "invoice",
    "credit_note",
    "payment",
    "refund",
    "processor_fee",
    "revenue_recognition",
    "realized_fx",
    "revenue_accrual",
    "revenue_accrual_reversal",
    "summary",
)
# Keys every line of one journal shares (a journal is single-currency in every format).
JOURNAL_KEYS = (
    "journal_id",
    "journal_kind",
    "reverses_external_id",
    "source_type",
    "posting_date",
    "currency",
    "minor_units",
    "exchange_rate",
    "functional_currency",
    "functional_minor_units",
)

_EXACT = decimal.Context(prec=80)  # wide enough for any decimal(38, s) without rounding
_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class FileContext:
    """Everything a file needs beyond its lines; supplied by the caller, never from the clock."""

    export_batch_id: str  # e.g. "jb-3f2a9c1d0e4b5a67"
    legal_entity: str  # code, e.g. "UK01"
    subsidiary: str  # NetSuite subsidiary name or internal id
    ledger_id: str  # Oracle Fusion ledger id
    ledger_name: str  # Oracle Fusion ledger name
    posting_period: str  # YYYY-MM
    period_name: str  # the ERP's period name, e.g. "Oct 2026"
    created_date: date  # deterministic "file created" date, never today's
    journal_source: str = "usage-to-cash"

    def __post_init__(self) -> None:
        if not _PERIOD.fullmatch(self.posting_period):  # `$` alone lets "…\n" through
            raise ValueError(f"posting_period {self.posting_period!r} is not YYYY-MM")
        if not isinstance(self.created_date, date) or hasattr(self.created_date, "hour"):
            raise TypeError("created_date must be a datetime.date (not a datetime)")
        for name in ("export_batch_id", "legal_entity", "journal_source", "period_name"):
            if not getattr(self, name):
                raise ValueError(f"FileContext.{name} must not be empty")


class ExportFormatError(ValueError):
    """Lines that a format cannot (or must not) render; the message says which and why."""


class InvalidExportLines(ExportFormatError):
    """The lines break the export-line contract (see the module docstring)."""


class UnsupportedCurrency(ExportFormatError):
    """A currency whose minor units the target format cannot carry."""

    def __init__(self, file_format: str, currencies: Mapping[str, int], max_digits: int) -> None:
        self.file_format = file_format
        self.currencies = tuple(sorted(currencies))
        self.currency = self.currencies[0]
        listed = ", ".join(f"{c} ({currencies[c]} minor units)" for c in self.currencies)
        super().__init__(
            f"{file_format} accepts amounts with at most {max_digits} decimals; "
            f"cannot export currency {listed}"
        )


class UnrepresentableLine(ExportFormatError):
    """A valid line the target format has no way to express."""

    def __init__(self, file_format: str, external_id: str, line_number: int, reason: str) -> None:
        self.file_format = file_format
        self.external_id = external_id
        self.line_number = line_number
        super().__init__(f"{file_format}: line {external_id}#{line_number} {reason}")


def exact_sum(values: Iterable[Decimal]) -> Decimal:
    """The sum without rounding: the default 28-digit context rounds a total of decimal(38, s)
    amounts (an unbalanced journal could pass, a balanced one fail)."""
    with decimal.localcontext(_EXACT):
        return sum(values, Decimal(0))


def minor(value: Decimal, digits: int) -> Decimal:
    """`value` at exactly `digits` decimals; raises if that would change it (no silent rounding)."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise InvalidExportLines(f"amount {value!r} is not a finite Decimal")
    quantized = value.quantize(Decimal(1).scaleb(-digits), context=_EXACT)
    if quantized != value:
        raise InvalidExportLines(f"amount {value} has more than {digits} decimals")
    return quantized


def plain_rate(value: Decimal) -> Decimal:
    """A rate without trailing zeros, for plain notation (`format(rate, 'f')`)."""
    if not isinstance(value, Decimal) or not value.is_finite() or value <= 0:
        raise InvalidExportLines(f"exchange rate {value!r} is not a positive Decimal")
    return value.normalize(context=_EXACT)


def side(line: Mapping[str, object]) -> str | None:
    """'debit' or 'credit': the side a line is on (a rounding line: its functional amount's)."""
    if line["debit"] > 0 or line["functional_debit"] > 0:
        return "debit"
    if line["credit"] > 0 or line["functional_credit"] > 0:
        return "credit"
    return None  # no amount at all


def journals(
    lines: Sequence[Mapping[str, object]],
    ctx: FileContext | None = None,
    *,
    functional: bool = True,
) -> list[list[Mapping[str, object]]]:
    """The lines grouped by journal (external_id), in input order, after checking the contract.
    `functional=False`: for a format without functional amounts, whose ERP converts and rounds
    itself, only the transaction amounts must balance."""
    grouped: list[list[Mapping[str, object]]] = []
    seen: set[str] = set()
    entities: set[object] = set()
    periods: set[object] = set()
    for line in lines:
        _check_line(line)
        entities.add(line["legal_entity"])
        periods.add(line["posting_period"])
        current = grouped[-1] if grouped else None
        if current is not None and current[0]["external_id"] == line["external_id"]:
            head = current[0]
            where = f"journal {line['external_id']}"
            if line["line_number"] <= current[-1]["line_number"]:
                raise InvalidExportLines(f"{where}: line numbers are not strictly increasing")
            for key in JOURNAL_KEYS:
                if line[key] != head[key]:
                    raise InvalidExportLines(f"{where}: lines disagree on {key}")
            current.append(line)
        else:
            if line["external_id"] in seen:
                raise InvalidExportLines(
                    f"journal {line['external_id']}: its lines are not adjacent "
                    "(order the lines by external_id, line_number)"
                )
            seen.add(line["external_id"])
            grouped.append([line])
    if len(entities) > 1 or len(periods) > 1:
        raise InvalidExportLines(
            f"one file holds one legal entity and one posting period, got "
            f"{sorted(map(str, entities))} and {sorted(map(str, periods))}"
        )
    if (
        ctx is not None
        and lines
        and (entities, periods) != ({ctx.legal_entity}, {ctx.posting_period})
    ):
        raise InvalidExportLines(
            f"lines are for {entities.pop()} {periods.pop()}, "
            f"the file for {ctx.legal_entity} {ctx.posting_period}"
        )
    for journal in grouped:
        _check_balanced(journal, functional)
    return grouped


def _check_line(line: Mapping[str, object]) -> None:
    missing = [k for k in LINE_KEYS if k not in line]
    where = f"line {line.get('external_id')}#{line.get('line_number')}"
    if missing:
        raise InvalidExportLines(f"{where}: missing keys {missing}")
    nulls = [k for k in REQUIRED_KEYS if line[k] is None]
    if nulls:
        raise InvalidExportLines(f"{where}: null {nulls}")
    for key in TEXT_KEYS:
        if line[key] is not None and not isinstance(line[key], str):
            raise InvalidExportLines(f"{where}: {key} is not text")
    for key in INT_KEYS:
        if not isinstance(line[key], int) or isinstance(line[key], bool) or line[key] < 0:
            raise InvalidExportLines(f"{where}: {key} is not a non-negative int")
    for key in DATE_KEYS:
        value = line[key]
        if value is not None and (not isinstance(value, date) or hasattr(value, "hour")):
            raise InvalidExportLines(f"{where}: {key} is not a datetime.date")
    if line["journal_kind"] not in JOURNAL_KINDS:
        raise InvalidExportLines(f"{where}: journal_kind {line['journal_kind']!r} unknown")
    if line["source_type"] not in SOURCE_TYPES:
        raise InvalidExportLines(f"{where}: source_type {line['source_type']!r} unknown")
    if line["journal_kind"] == "reversal" and not line["reverses_external_id"]:
        raise InvalidExportLines(f"{where}: a reversal names the journal it reverses")
    for key in AMOUNT_KEYS:
        minor(line[key], line["minor_units"])
    for key in FUNCTIONAL_AMOUNT_KEYS:
        minor(line[key], line["functional_minor_units"])
    plain_rate(line["exchange_rate"])
    if any(line[key] < 0 for key in MONEY_KEYS):
        raise InvalidExportLines(f"{where}: amounts are unsigned (debit or credit side)")
    debit_side = line["debit"] > 0 or line["functional_debit"] > 0
    credit_side = line["credit"] > 0 or line["functional_credit"] > 0
    if debit_side and credit_side:
        raise InvalidExportLines(f"{where}: a line has a debit or a credit, not both")
    if line["currency"] == line["functional_currency"] and (
        line["exchange_rate"] != 1
        or line["debit"] != line["functional_debit"]
        or line["credit"] != line["functional_credit"]
    ):
        raise InvalidExportLines(
            f"{where}: a ledger-currency line has rate 1 and equal functional amounts"
        )


def _check_balanced(journal: list[Mapping[str, object]], functional: bool = True) -> None:
    for debit, credit in (AMOUNT_KEYS, FUNCTIONAL_AMOUNT_KEYS) if functional else (AMOUNT_KEYS,):
        debits = exact_sum(line[debit] for line in journal)
        credits = exact_sum(line[credit] for line in journal)
        if debits != credits:
            raise InvalidExportLines(
                f"journal {journal[0]['external_id']} does not balance: "
                f"{debit} {debits} != {credit} {credits}"
            )
