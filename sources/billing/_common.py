"""Small checks shared by the billing (Stripe) contracts.

Every helper reads one field of a parsed JSON object and either returns the typed value or
raises a `Rejection`. `where` is the path prefix used in messages (e.g. `lines.data[2].`), so
a detail always names the field that was wrong.

Conventions (all billing contracts):
- integers must be JSON integers: a JSON number with a point (parsed as Decimal) or a string
  is `wrong_type`; for money fields it is `non_integer_amount` (a sign of major units).
- unix-second timestamps become naive-UTC datetimes; a non-integer is `bad_timestamp`, a value
  outside 2000..2100 is business_rule `timestamp_out_of_range`.
- `currency` must be lower-case (`currency_not_lowercase`) and a known ISO 4217 code
  (`unknown_currency`), both schema.
- ids must start with their Stripe prefix (`bad_id_prefix`).
- a reference Stripe can expand (customer, subscription, invoice, charge, price, product,
  balance_transaction, payment_intent, refund, a balance transaction's source) is accepted as
  the id or as the expanded object; the expanded object's `id` is what lands (`ref`).
- a key present with `null` is the same as an absent key; keys the contract does not read are
  never a reason to reject (the whole object stays in the row's `payload`).
- enumerations: a value outside the list is `unknown_<field>` (schema).
"""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

import pyarrow as pa

from sources.contract import (
    EXACT,
    ReasonClass,
    Rejection,
    parse_decimal,
    rule_error,
    schema_error,
)
from sources.currencies import MINOR_UNITS

SYSTEM = "billing"

# Decimals Stripe sends as strings (unit_amount_decimal) or numbers (exchange_rate).
DECIMAL_12 = pa.decimal128(38, 12)
_SCALE_12 = Decimal(1).scaleb(-12)

_EPOCH = datetime(1970, 1, 1)
_MIN_TS = 946_684_800  # 2000-01-01T00:00:00Z
_MAX_TS = 4_102_444_800  # 2100-01-01T00:00:00Z
_INT64_MAX = 2**63 - 1
_CURRENCIES = frozenset(code.lower() for code in MINOR_UNITS)

LAYOUT_PRE_2025 = "pre_2025"
LAYOUT_2025 = "2025_03_31"


def accounting_error(code: str, detail: str) -> Rejection:
    return Rejection(code, ReasonClass.ACCOUNTING_CONTROL, detail)


def _missing(label: str) -> Rejection:
    return schema_error("missing_field", f"required field '{label}' is missing or null")


def _type_name(value: object) -> str:
    return "number with a fraction" if isinstance(value, Decimal) else type(value).__name__


def stripe_object(record: object, expected: str, *, where: str = "") -> dict:
    """The record as a dict whose `object` is `expected` (checked, never landed)."""
    if not isinstance(record, dict):
        raise schema_error(
            "not_an_object",
            f"{where or 'a Stripe ' + expected} must be a JSON object, got {type(record).__name__}",
        )
    kind = record.get("object")
    if kind is None:
        raise _missing(f"{where}object")
    if kind != expected:
        raise schema_error("wrong_object", f"'{where}object' must be {expected!r}, got {kind!r}")
    return record


# --- scalars -------------------------------------------------------------------------------


def _int(value: object, label: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise schema_error(
            "wrong_type", f"'{label}' must be an integer, got {_type_name(value)}: {value!r}"
        )
    if not -_INT64_MAX <= value <= _INT64_MAX:
        raise schema_error("out_of_range", f"'{label}' does not fit in 64 bits: {value}")
    return value


def opt_int(record: dict, field: str, *, where: str = "") -> int | None:
    value = record.get(field)
    return None if value is None else _int(value, where + field)


def req_int(record: dict, field: str, *, where: str = "") -> int:
    value = record.get(field)
    if value is None:
        raise _missing(where + field)
    return _int(value, where + field)


def _amount(value: object, label: str) -> int:
    if isinstance(value, Decimal):
        raise schema_error(
            "non_integer_amount",
            f"'{label}' must be an integer in the currency's minor unit, got {value}",
        )
    return _int(value, label)


def opt_amount(record: dict, field: str, *, where: str = "") -> int | None:
    value = record.get(field)
    return None if value is None else _amount(value, where + field)


def req_amount(record: dict, field: str, *, where: str = "") -> int:
    value = record.get(field)
    if value is None:
        raise _missing(where + field)
    return _amount(value, where + field)


def non_negative(value: int | Decimal | None, label: str, code: str = "negative_amount") -> None:
    if value is not None and value < 0:
        raise rule_error(code, f"'{label}' must not be negative, got {value}")


def _ts(value: object, label: str) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int):
        raise schema_error(
            "bad_timestamp",
            f"'{label}' must be Unix seconds (an integer), got {_type_name(value)}: {value!r}",
        )
    if not _MIN_TS <= value < _MAX_TS:
        raise rule_error(
            "timestamp_out_of_range", f"'{label}' {value} is outside 2000..2100 (Unix seconds)"
        )
    return _EPOCH + timedelta(seconds=value)


def opt_ts(record: dict, field: str, *, where: str = "") -> datetime | None:
    value = record.get(field)
    return None if value is None else _ts(value, where + field)


def req_ts(record: dict, field: str, *, where: str = "") -> datetime:
    value = record.get(field)
    if value is None:
        raise _missing(where + field)
    return _ts(value, where + field)


def opt_bool(record: dict, field: str, *, where: str = "") -> bool | None:
    value = record.get(field)
    if value is None or isinstance(value, bool):
        return value
    raise schema_error(
        "wrong_type", f"'{where}{field}' must be true or false, got {type(value).__name__}"
    )


def req_bool(record: dict, field: str, *, where: str = "") -> bool:
    value = record.get(field)
    if value is None:
        raise _missing(where + field)
    return opt_bool(record, field, where=where)  # type: ignore[return-value]


def opt_str(record: dict, field: str, *, where: str = "") -> str | None:
    value = record.get(field)
    if value is None or isinstance(value, str):
        return value
    raise schema_error(
        "wrong_type", f"'{where}{field}' must be a string, got {type(value).__name__}"
    )


def req_str(record: dict, field: str, *, where: str = "") -> str:
    value = record.get(field)
    if value is None or value == "":
        raise schema_error("missing_field", f"required field '{where}{field}' is missing or empty")
    return opt_str(record, field, where=where)  # type: ignore[return-value]


def _id(value: object, label: str, prefixes: str | tuple[str, ...]) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise schema_error("wrong_type", f"'{label}' must be a string, got {type(value).__name__}")
    if not value.startswith(prefixes):
        expected = "' or '".join((prefixes,) if isinstance(prefixes, str) else prefixes)
        raise schema_error(
            "bad_id_prefix", f"'{label}' must start with '{expected}', got {value!r}"
        )
    return value


def opt_id(
    record: dict, field: str, prefixes: str | tuple[str, ...], *, where: str = ""
) -> str | None:
    return _id(record.get(field), where + field, prefixes)


def req_id(record: dict, field: str, prefixes: str | tuple[str, ...], *, where: str = "") -> str:
    req_str(record, field, where=where)
    return opt_id(record, field, prefixes, where=where)  # type: ignore[return-value]


def _ref_value(record: dict, field: str, where: str) -> tuple[object, str]:
    """The id of a reference and the label to name it by: an expanded object's `id`."""
    value = record.get(field)
    if isinstance(value, dict):
        return value.get("id"), f"{where}{field}.id"
    return value, where + field


def opt_ref(
    record: dict, field: str, prefixes: str | tuple[str, ...], *, where: str = ""
) -> str | None:
    """An expandable reference: the id (`cus_…`) or the expanded object ({"id": "cus_…", …})."""
    value, label = _ref_value(record, field, where)
    if value is None and isinstance(record.get(field), dict):
        raise _missing(label)
    return _id(value, label, prefixes)


def req_ref(record: dict, field: str, prefixes: str | tuple[str, ...], *, where: str = "") -> str:
    value, label = _ref_value(record, field, where)
    if value is None or value == "":
        raise schema_error("missing_field", f"required field '{label}' is missing or empty")
    return _id(value, label, prefixes)  # type: ignore[return-value]


def opt_enum(
    record: dict, field: str, allowed: Collection[str], *, where: str = "", code: str = ""
) -> str | None:
    value = opt_str(record, field, where=where)
    if value is not None and value not in allowed:
        raise schema_error(
            code or f"unknown_{field}",
            f"'{where}{field}' must be one of {', '.join(sorted(allowed))}; got {value!r}",
        )
    return value


def req_enum(
    record: dict, field: str, allowed: Collection[str], *, where: str = "", code: str = ""
) -> str:
    req_str(record, field, where=where)
    return opt_enum(record, field, allowed, where=where, code=code)  # type: ignore[return-value]


def opt_currency(record: dict, field: str = "currency", *, where: str = "") -> str | None:
    value = opt_str(record, field, where=where)
    if value is None or value in _CURRENCIES:
        return value
    if value.lower() in _CURRENCIES:
        raise schema_error(
            "currency_not_lowercase",
            f"'{where}{field}' must be lower-case ISO 4217 as Stripe sends it, got {value!r}",
        )
    raise schema_error("unknown_currency", f"'{where}{field}' {value!r} is not a known currency")


def req_currency(record: dict, field: str = "currency", *, where: str = "") -> str:
    req_str(record, field, where=where)
    return opt_currency(record, field, where=where)  # type: ignore[return-value]


def opt_decimal_str(record: dict, field: str, *, where: str = "") -> Decimal | None:
    """A decimal Stripe sends as a string (`unit_amount_decimal`), at most 12 decimals."""
    value = opt_str(record, field, where=where)
    return None if value is None else parse_decimal(value, where + field, scale=12)


def opt_rate(record: dict, field: str, *, where: str = "") -> Decimal | None:
    """A rate Stripe sends as a JSON number (`exchange_rate`); binary-float noise beyond 12
    decimals is rounded half-even (a rate, not money: amounts stay exact integers)."""
    value = record.get(field)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise schema_error(
            "wrong_type", f"'{where}{field}' must be a number, got {type(value).__name__}"
        )
    number = Decimal(value)
    if not number.is_finite() or abs(number) >= Decimal(10) ** 26:
        raise schema_error("out_of_range", f"'{where}{field}' is not a usable number: {value}")
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -12:
        number = number.quantize(_SCALE_12, rounding=ROUND_HALF_EVEN, context=EXACT)
    return number


# --- nested objects and lists --------------------------------------------------------------


def opt_obj(record: dict, field: str, *, where: str = "") -> dict | None:
    value = record.get(field)
    if value is None or isinstance(value, dict):
        return value
    raise schema_error(
        "wrong_type", f"'{where}{field}' must be an object, got {type(value).__name__}"
    )


def req_obj(record: dict, field: str, *, where: str = "") -> dict:
    value = opt_obj(record, field, where=where)
    if value is None:
        raise _missing(where + field)
    return value


def opt_array(record: dict, field: str, *, where: str = "") -> list | None:
    value = record.get(field)
    if value is None or isinstance(value, list):
        return value
    raise schema_error(
        "wrong_type", f"'{where}{field}' must be an array, got {type(value).__name__}"
    )


def list_data(record: dict, field: str, *, where: str = "") -> list:
    """The `data` of a complete Stripe list object ({object: "list", has_more: false, data})."""
    wrapper = req_obj(record, field, where=where)
    label = f"{where}{field}."
    stripe_object(wrapper, "list", where=label)
    data = opt_array(wrapper, "data", where=label)
    if data is None:
        raise _missing(label + "data")
    has_more = opt_bool(wrapper, "has_more", where=label)
    total_count = opt_int(wrapper, "total_count", where=label)
    if has_more or (total_count is not None and total_count != len(data)):
        raise schema_error(
            "truncated_list",
            f"'{label}data' is one page of a longer list (has_more/total_count): "
            f"the extract must carry every item",
        )
    return data


def sum_amounts(record: dict, field: str, *, where: str = "") -> int | None:
    """Sum of `amount` over a list of objects (`tax_amounts`, `taxes`); None when absent."""
    items = opt_array(record, field, where=where)
    if items is None:
        return None
    total = 0
    for i, item in enumerate(items):
        label = f"{where}{field}[{i}]."
        if not isinstance(item, dict):
            raise schema_error("wrong_type", f"'{label[:-1]}' must be an object")
        total += req_amount(item, "amount", where=label)
    return total


def metadata(record: dict, keys: tuple[str, ...] = ()) -> dict:
    """`metadata` as sorted compact JSON text plus one `metadata_<key>` column per named key.

    Stripe metadata is an object of strings; absent or null lands as null.
    """
    value = opt_obj(record, "metadata")
    if value is None:
        return {"metadata": None, **{f"metadata_{key}": None for key in keys}}
    for key, item in value.items():
        if not isinstance(item, str):
            raise schema_error(
                "wrong_type",
                f"'metadata.{key}' must be a string (Stripe metadata), got {type(item).__name__}",
            )
    text = json.dumps(value, sort_keys=True, separators=(",", ":")) if value else "{}"
    return {"metadata": text, **{f"metadata_{key}": value.get(key) for key in keys}}


def period_order(start: datetime | None, end: datetime | None, label: str) -> None:
    if start is not None and end is not None and end < start:
        raise rule_error(
            "period_end_before_start", f"'{label}' ends ({end}) before it starts ({start})"
        )
