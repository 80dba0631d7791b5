"""Typed CSV cells for the CRM and ERP (NetSuite2) contracts: one parser per kind of column.

A contract module lists its columns once as `Field`s; `columns`, `required` and `schema`
derive the reader's column list, the required set and the landed Arrow schema from that list,
and `parse_row` turns a CSV record ({column: text or None}) into typed values or raises a
`Rejection`. Record-level rules (start <= end, debit xor credit, ...) stay in the table modules.

Conventions every kind follows:
- An empty or blank cell is null; a null in a required column is `missing_field`.
- Text is kept exactly as delivered (no trimming); typed cells must be exact: no surrounding
  spaces, no thousands separators, no exponents, no `1_000`.
- A kind may land a companion column beside its own (`<column><suffix>`, e.g. the time a
  date-only NetSuite cell carried): `schema` adds it, `parse_row` fills it, the CSV never has it.
- Reason codes: `wrong_type` (not an integer / not a decimal), `bad_flag`, `bad_date`,
  `bad_timestamp`, `timestamp_without_offset`, `too_many_decimals`, `out_of_range` (does not
  fit the landed type), `unknown_enum`, `bad_identifier`, `bad_country`, `bad_legal_entity`,
  `non_positive_id`, `negative_id` (schema); `unknown_currency`, `timestamp_out_of_range` and
  the per-column range codes (business_rule, unless a field says otherwise).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal

import pyarrow as pa

from sources.contract import (
    EARLIEST_SANE,
    EXACT,
    LATEST_SANE,
    QUANTITY,
    TIMESTAMP,
    ReasonClass,
    Rejection,
    parse_decimal,
    parse_rfc3339,
    rule_error,
    schema_error,
)
from sources.currencies import MINOR_UNITS

# Money and quantities: 38 digits, 9 after the point. Exchange rates: 12 after the point.
MONEY = QUANTITY
RATE = pa.decimal128(38, 12)
INT64_MAX = 2**63 - 1

_INTEGER = re.compile(r"-?[0-9]+")
_DECIMAL = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# NetSuite2 dates and times as SuiteAnalytics and sync tools write them: a date, optionally a
# time (`0:00:00`, `10:34:43`, fractions), `T` or space, optionally `Z` or an offset.
_NS_DATETIME = re.compile(
    r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})"
    r"(?:[T ](?P<h>[0-9]{1,2}):(?P<m>[0-9]{2}):(?P<s>[0-9]{2})(?:\.(?P<f>[0-9]{1,6}))?"
    r"(?P<tz>Z|[+-][0-9]{2}:[0-9]{2})?)?"
)
_RFC3339 = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?(?:Z|[+-][0-9]{2}:[0-9]{2})?"
)

Parser = Callable[[str, str], object]  # (cell text, column name) -> typed value


@dataclass(frozen=True)
class Kind:
    """A column type: how a cell parses and what Arrow type it lands as.

    With a `companion` (suffix, Arrow type), `parse` returns (value, companion value) and the
    companion lands as the column `<name><suffix>` right after it."""

    arrow: pa.DataType
    parse: Parser
    companion: tuple[str, pa.DataType] | None = None


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    required: bool = False


def columns(fields: Iterable[Field]) -> list[str]:
    return [f.name for f in fields]


def required(fields: Iterable[Field]) -> set[str]:
    return {f.name for f in fields if f.required}


def schema(fields: Iterable[Field], *, non_null: Iterable[str] | None = None) -> pa.Schema:
    """The landed schema; columns are non-null when required (or when in `non_null`)."""
    keep = None if non_null is None else set(non_null)
    out = []
    for f in fields:
        required_here = f.required if keep is None else f.name in keep
        out.append(pa.field(f.name, f.kind.arrow, nullable=not required_here))
        if f.kind.companion is not None:
            suffix, arrow = f.kind.companion
            out.append(pa.field(f.name + suffix, arrow))
    return pa.schema(out)


def parse_row(
    record: dict[str, str | None], fields: Iterable[Field], *, only: Iterable[str] | None = None
) -> dict:
    """Every field typed, in order; the first bad cell raises its Rejection. With `only`, just
    those columns are required (a deleted record needs its key, nothing else)."""
    must = None if only is None else set(only)
    row: dict = {}
    for f in fields:
        value = record.get(f.name)
        companion = f.kind.companion
        if value is None or value.strip() == "":
            if f.required if must is None else f.name in must:
                raise schema_error(
                    "missing_field", f"required column '{f.name}' is missing or empty"
                )
            row[f.name] = None
            if companion is not None:
                row[f.name + companion[0]] = None
        elif companion is not None:
            row[f.name], row[f.name + companion[0]] = f.kind.parse(value, f.name)  # type: ignore[misc]
        else:
            row[f.name] = f.kind.parse(value, f.name)
    return row


# --- kinds -------------------------------------------------------------------------------


def _text(value: str, column: str) -> str:
    return value


TEXT = Kind(pa.string(), _text)


def integer(
    minimum: int | None = None,
    maximum: int | None = None,
    *,
    code: str = "out_of_range",
    reason_class: ReasonClass = ReasonClass.BUSINESS_RULE,
) -> Kind:
    """An int64 written as plain digits; outside [minimum, maximum] raises `code`."""

    def parse(value: str, column: str) -> int:
        if not _INTEGER.fullmatch(value):
            raise schema_error("wrong_type", f"'{column}' is not an integer: {value!r}")
        number = int(value)
        if abs(number) > INT64_MAX:
            raise schema_error("out_of_range", f"'{column}' does not fit 64 bits: {value!r}")
        if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
            if maximum is None:
                bounds = f">= {minimum}"
            elif minimum is None:
                bounds = f"<= {maximum}"
            else:
                bounds = f"in {minimum}..{maximum}"
            raise Rejection(code, reason_class, f"'{column}' must be {bounds}, got {number}")
        return number

    return Kind(pa.int64(), parse)


# NetSuite internal ids (and CRM references to them): positive integers.
ID = integer(1, code="non_positive_id", reason_class=ReasonClass.SCHEMA)
# NetSuite transaction line ids: the main line is 0.
LINE_ID = integer(0, code="negative_id", reason_class=ReasonClass.SCHEMA)


def _tf_flag(value: str, column: str) -> bool:
    if value == "T" or value.lower() == "true":
        return True
    if value == "F" or value.lower() == "false":
        return False
    raise schema_error("bad_flag", f"'{column}' must be T/F or true/false, got {value!r}")


# NetSuite booleans: `T` / `F` as SuiteAnalytics writes them, `true` / `false` in any case as
# sync tools write theirs (Fivetran's `_fivetran_deleted`, `isprimarysub`: TRUE / FALSE).
FLAG = Kind(pa.bool_(), _tf_flag)


def _bool_word(value: str, column: str) -> bool:
    word = value.lower()
    if word == "true":
        return True
    if word == "false":
        return False
    raise schema_error("bad_flag", f"'{column}' must be true or false, got {value!r}")


# CRM booleans: `true` / `false` (any case, as spreadsheets write TRUE/FALSE).
BOOLEAN = Kind(pa.bool_(), _bool_word)


def _iso_date(value: str, column: str) -> date:
    if _DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise schema_error("bad_date", f"'{column}' is not a YYYY-MM-DD date: {value!r}")


DATE = Kind(pa.date32(), _iso_date)


def _ns_parts(value: str, column: str, code: str, shape: str) -> tuple[date, time | None, str]:
    """(date as written, time of day or None, offset text or '') of a NetSuite2 date/time."""
    match = _NS_DATETIME.fullmatch(value)
    if match is None:
        raise schema_error(code, f"'{column}' is not {shape}: {value!r}")
    try:
        day = date.fromisoformat(match["date"])
        clock = None
        if match["h"] is not None:
            micros = int((match["f"] or "0").ljust(6, "0"))
            clock = time(int(match["h"]), int(match["m"]), int(match["s"]), micros)
    except ValueError as exc:
        raise schema_error(code, f"'{column}' is not {shape}: {value!r}") from exc
    return day, clock, match["tz"] or ""


def _offset(text: str) -> timezone:
    if text in ("", "Z"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    return timezone(sign * timedelta(hours=int(text[1:3]), minutes=int(text[4:6])))


_NS_SHAPE = "a date (YYYY-MM-DD, optionally with a time H:MM:SS and an offset)"


def _ns_date(value: str, column: str) -> tuple[date, str | None]:
    day, clock, tz = _ns_parts(value, column, "bad_date", _NS_SHAPE)
    if clock is None or (clock == time(0) and tz in ("", "Z")):
        return day, None
    return day, clock.isoformat() + tz


# NetSuite2 date-only columns (trandate, startdate, ...): the calendar date as written, never
# shifted by a time zone. A time other than midnight, or an offset, is kept as written
# (`HH:MM:SS[.ffffff][±HH:MM]`) in the companion column `<column>_time`, not guessed away.
NS_DATE = Kind(pa.date32(), _ns_date, companion=("_time", pa.string()))


def _ns_utc(value: str, column: str) -> datetime:
    day, clock, tz = _ns_parts(value, column, "bad_timestamp", _NS_SHAPE)
    local = datetime.combine(day, clock or time(0), tzinfo=_offset(tz))
    try:
        return local.astimezone(UTC).replace(tzinfo=None)
    except OverflowError:  # 9999-12-31T23:59:59+00:00 east of UTC
        return datetime.max.replace(microsecond=0)


def _ns_datetime(value: str, column: str) -> datetime:
    parsed = _ns_utc(value, column)
    if not EARLIEST_SANE <= parsed < LATEST_SANE:
        raise rule_error("timestamp_out_of_range", f"'{column}' {value!r} is outside 2000..2100")
    return parsed


# NetSuite2 timestamps (createddate, ...): `YYYY-MM-DD H:MM:SS` or `HH:MM:SS` without an offset
# is UTC (as SuiteAnalytics Connect and Fivetran write it); ISO 8601 with `T` and `Z` or an
# offset is converted to UTC; a bare date is its midnight UTC. Landed as naive UTC.
NS_TIMESTAMP = Kind(TIMESTAMP, _ns_datetime)


# A sync tool's own timestamps (`_fivetran_synced`, `_fivetran_start`, `_fivetran_end`): the
# NetSuite2 shapes, in UTC, without the business range check: an open history version ends at
# `9999-12-31 23:59:59.999` (Fivetran's "still active"), which lands as written.
SYNC_TIMESTAMP = Kind(TIMESTAMP, _ns_utc)

_ID_LIST = re.compile(r"[0-9]+(?:[ ]*,[ ]*[0-9]+)*")


def _id_list(value: str, column: str) -> tuple[int | None, list[int]]:
    if not _ID_LIST.fullmatch(value):
        raise schema_error(
            "wrong_type", f"'{column}' is not an id or a list of ids ('1, 3, 4'): {value!r}"
        )
    ids = [ID.parse(part.strip(), column) for part in value.split(",")]
    return (ids[0] if len(ids) == 1 else None), ids  # type: ignore[return-value]


# A NetSuite multi-select of internal ids (`account.subsidiary`: "1, 3, 4, 6", as SuiteAnalytics
# and Fivetran write it): the column keeps the id when exactly one is selected (null when
# several), and every selected id lands, in order, as a list in `<column>_ids`.
ID_LIST = Kind(pa.int64(), _id_list, companion=("_ids", pa.list_(pa.int64())))


def _rfc3339(value: str, column: str) -> datetime:
    if not _RFC3339.fullmatch(value):
        raise schema_error("bad_timestamp", f"'{column}' is not RFC 3339: {value!r}")
    return parse_rfc3339(value, column)


# CRM timestamps: RFC 3339 with `T` and an offset (`Z` or +hh:mm), landed as naive UTC.
RFC3339 = Kind(TIMESTAMP, _rfc3339)


def decimal(
    scale: int = 9,
    arrow: pa.Decimal128Type = MONEY,
    *,
    minimum: Decimal | int | None = None,
    exclusive: bool = False,
    code: str = "negative_value",
    reason_class: ReasonClass = ReasonClass.BUSINESS_RULE,
) -> Kind:
    """A plain decimal (`-1250.50`) with at most `scale` decimals, landed as `arrow`;
    below `minimum` (or equal to it when `exclusive`) raises `code`."""
    limit = Decimal(10) ** (arrow.precision - arrow.scale)
    step = Decimal(1).scaleb(-arrow.scale)

    def parse(value: str, column: str) -> Decimal:
        if not _DECIMAL.fullmatch(value):
            raise schema_error("wrong_type", f"'{column}' is not a plain decimal: {value!r}")
        try:
            number = parse_decimal(value, column, scale=min(scale, arrow.scale))
        except Rejection as exc:
            if repr(value) in exc.detail:
                raise
            detail = f"{exc.detail}: {value!r}"  # name the value too
            raise Rejection(exc.reason_code, exc.reason_class, detail) from exc
        if number.copy_abs() >= limit:
            raise schema_error("out_of_range", f"'{column}' is too large: {value!r}")
        if minimum is not None and (number < minimum or (exclusive and number == minimum)):
            relation = ">" if exclusive else ">="
            raise Rejection(
                code, reason_class, f"'{column}' must be {relation} {minimum}, got {value!r}"
            )
        return number.quantize(step, context=EXACT)

    return Kind(arrow, parse)


def enum(*values: str) -> Kind:
    allowed = frozenset(values)
    listing = ", ".join(values)

    def parse(value: str, column: str) -> str:
        if value not in allowed:
            raise schema_error("unknown_enum", f"'{column}' {value!r} is not one of {listing}")
        return value

    return Kind(pa.string(), parse)


def _currency(value: str, column: str) -> str:
    if value not in MINOR_UNITS:
        hint = " (codes are upper-case)" if value.upper() in MINOR_UNITS else ""
        raise rule_error(
            "unknown_currency", f"'{column}' {value!r} is not a known ISO 4217 code{hint}"
        )
    return value


# Upper-case ISO 4217 code known to sources/currencies.py.
CURRENCY = Kind(pa.string(), _currency)


def pattern(regex: str, code: str, shape: str) -> Kind:
    """Text that must match `regex` in full; `shape` describes it in the message."""
    compiled = re.compile(regex)

    def parse(value: str, column: str) -> str:
        if not compiled.fullmatch(value):
            raise schema_error(code, f"'{column}' {value!r} is not {shape}")
        return value

    return Kind(pa.string(), parse)


def identifier(prefix: str) -> Kind:
    """A cross-system id such as `ACC-0001` or `sub_…`: the prefix, then letters/digits/_/-."""
    return pattern(
        rf"{re.escape(prefix)}[A-Za-z0-9_-]+", "bad_identifier", f"an id like '{prefix}…'"
    )


COUNTRY = pattern(r"[A-Z]{2}", "bad_country", "an ISO 3166 alpha-2 country code")


def check_currency_scale(row: dict, amount_columns: Iterable[str], currency_column: str) -> None:
    """Money in major units may not have more decimals than its currency's minor units."""
    currency = row[currency_column]
    digits = MINOR_UNITS[currency]
    for column in amount_columns:
        value = row[column]
        if value is not None and value != value.quantize(Decimal(1).scaleb(-digits), context=EXACT):
            raise schema_error(
                "too_many_decimals",
                f"'{column}' {value.normalize():f} has more than {digits} decimals for {currency}",
            )
