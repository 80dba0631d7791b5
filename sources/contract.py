"""What every source contract provides: a target schema and a row validator.

A contract turns one raw record (a JSON line, a CSV row) into either a typed row for the
lake or a `Rejection` that says why, so landing can account for every row it read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Context, Decimal, InvalidOperation
from enum import StrEnum

import pyarrow as pa

# Exact quantities and amounts: 38 digits, 9 after the point.
QUANTITY = pa.decimal128(38, 9)
# Enough digits for any exact DECIMAL(38, s) value and the comparisons made while checking one:
# the default context (28 digits) raises InvalidOperation on a 38-digit quantize.
EXACT = Context(prec=80)
# All lake timestamps are UTC, stored without a zone so no session time zone can shift them.
TIMESTAMP = pa.timestamp("us")

# Timestamps outside this window are typos or epoch-zero defaults, not business events.
EARLIEST_SANE = datetime(2000, 1, 1)
LATEST_SANE = datetime(2100, 1, 1)


class ReasonClass(StrEnum):
    SCHEMA = "schema"
    BUSINESS_RULE = "business_rule"
    ACCOUNTING_CONTROL = "accounting_control"


@dataclass(frozen=True)
class Rejection(Exception):
    """Why a row cannot land. Raised by validators, caught by landing, written to quarantine."""

    reason_code: str
    reason_class: ReasonClass
    detail: str

    def __str__(self) -> str:
        return f"{self.reason_class}/{self.reason_code}: {self.detail}"


class FastPathDeclined(Exception):
    """A vectorized reader cannot vouch for every row of a file: land it row by row instead."""


def schema_error(code: str, detail: str) -> Rejection:
    return Rejection(code, ReasonClass.SCHEMA, detail)


def rule_error(code: str, detail: str) -> Rejection:
    return Rejection(code, ReasonClass.BUSINESS_RULE, detail)


def require_str(record: dict, field: str, *, where: str = "") -> str:
    value = record.get(field)
    label = f"{where}{field}"
    if value is None or value == "":
        raise schema_error("missing_field", f"required field '{label}' is missing or empty")
    if not isinstance(value, str):
        raise schema_error("wrong_type", f"'{label}' must be a string, got {type(value).__name__}")
    return value


def optional_str(record: dict, field: str, *, where: str = "") -> str | None:
    value = record.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        raise schema_error(
            "wrong_type", f"'{where}{field}' must be a string, got {type(value).__name__}"
        )
    return value


def parse_rfc3339(value: str, field: str) -> datetime:
    """RFC 3339 with an explicit offset, returned as naive UTC."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise schema_error("bad_timestamp", f"'{field}' is not RFC 3339: {value!r}") from exc
    if parsed.tzinfo is None:
        raise schema_error("timestamp_without_offset", f"'{field}' has no UTC offset: {value!r}")
    utc = parsed.astimezone(UTC).replace(tzinfo=None)
    if not EARLIEST_SANE <= utc < LATEST_SANE:
        raise rule_error("timestamp_out_of_range", f"'{field}' {value!r} is outside 2000..2100")
    return utc


def parse_decimal(value: object, field: str, *, scale: int = 9) -> Decimal:
    """An exact decimal from a JSON number (parsed as Decimal) or a numeric string."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        raise schema_error("wrong_type", f"'{field}' must be a number, got {type(value).__name__}")
    try:
        number = Decimal(value) if not isinstance(value, Decimal) else value
    except InvalidOperation as exc:
        raise schema_error("wrong_type", f"'{field}' is not a number: {value!r}") from exc
    if not number.is_finite():
        raise schema_error("wrong_type", f"'{field}' is not a finite number: {value!r}")
    exponent = number.as_tuple().exponent
    if (
        isinstance(exponent, int)
        and -exponent > scale
        and number != number.quantize(Decimal(1).scaleb(-scale), context=EXACT)
    ):
        raise schema_error("too_many_decimals", f"'{field}' has more than {scale} decimals")
    if number.copy_abs() >= Decimal(10) ** (38 - scale):  # abs() would round to 28 digits
        raise schema_error("out_of_range", f"'{field}' is too large: {value!r}")
    return number
