"""The one generic field reader of the Stripe contracts: a table's spec
(`sources/specs/billing/<table>.json`) says, per column, where in the object it is (`source`,
a dotted path: `address.country`, `payment.charge`, `metadata.sku`), whether it is required and
its rule; `reader(spec)` reads every column in order with the `_common` helper of that rule,
then applies the range checks (`min`). What is not one field at a time stays in the table's
module: the object type, expanded lists and child tables, accounting controls.

Rules: `id` / `ref` (`prefix`: one or a list; `ref` also takes the expanded object), `string`,
`bool`, `timestamp` (Unix seconds), `amount` (minor units; `min`, `code`), `integer`, `enum`
(`values`, `code`), `currency`, `decimal_string`, `rate`, `decimal` (a numeric string or
number), `sum_amounts` (the sum of a list's `amount`s), `metadata` (the whole object as
sorted JSON) and `metadata_key` (one key of it); `given` columns are filled by the module
(a child row's parent id and index, a flag about the object). A rule's `min` is checked after
every column is read (`code`: `negative_amount` unless named). `required_with_parent`: the
column is null without its parent object, and required when the parent is there
(`recurring.interval`).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pyarrow as pa

from sources.billing import _common as c
from sources.contract import QUANTITY, TIMESTAMP, parse_decimal, rule_error, schema_error
from sources.table_spec import TableSpec, arrow_type

Read = Callable[[dict, str], object]  # (object, path prefix for messages) -> value


def _prefix(rule: dict) -> str | tuple[str, ...]:
    prefix = rule["prefix"]
    return prefix if isinstance(prefix, str) else tuple(prefix)


def _decimal(rec: dict, field: str, where: str, required: bool) -> Decimal | None:
    """A quantity Stripe sends as a numeric string or a JSON number (a meter event's value)."""
    value = rec.get(field)
    if value is None or value == "":
        if required:
            raise schema_error(
                "missing_field", f"required field '{where}{field}' is missing or empty"
            )
        return None
    return parse_decimal(value, where + field)


_SIMPLE = {
    "string": (c.req_str, c.opt_str),
    "bool": (c.req_bool, c.opt_bool),
    "timestamp": (c.req_ts, c.opt_ts),
    "amount": (c.req_amount, c.opt_amount),
    "integer": (c.req_int, c.opt_int),
    "currency": (c.req_currency, c.opt_currency),
    "decimal_string": (None, c.opt_decimal_str),
    "rate": (None, c.opt_rate),
    "sum_amounts": (None, c.sum_amounts),
}

# The Arrow type each rule lands as (a spec column must say the same).
ARROW = {
    "id": pa.string(),
    "ref": pa.string(),
    "string": pa.string(),
    "enum": pa.string(),
    "currency": pa.string(),
    "metadata": pa.string(),
    "metadata_key": pa.string(),
    "bool": pa.bool_(),
    "timestamp": TIMESTAMP,
    "amount": pa.int64(),
    "integer": pa.int64(),
    "decimal_string": c.DECIMAL_12,
    "rate": c.DECIMAL_12,
    "decimal": QUANTITY,
    "sum_amounts": pa.int64(),
}


def _leaf(rule: dict, required: bool, field: str) -> Read:
    """Reads `field` of the (sub)object it is given; `where` names the path to it."""
    kind = rule["kind"]
    if kind in ("id", "ref"):
        prefix = _prefix(rule)
        if kind == "id":
            ident = c.req_id if required else c.opt_id
        else:
            ident = c.req_ref if required else c.opt_ref
        return lambda rec, where: ident(rec, field, prefix, where=where)
    if kind == "enum":
        allowed = frozenset(rule["values"])
        code = rule.get("code", "")
        enum = c.req_enum if required else c.opt_enum
        return lambda rec, where: enum(rec, field, allowed, where=where, code=code)
    if kind == "metadata_key":  # values are checked by the `metadata` column
        return lambda rec, where: rec.get(field)
    if kind == "decimal":
        return lambda rec, where: _decimal(rec, field, where, required)
    helper = _SIMPLE[kind][0 if required else 1]
    assert helper is not None, f"{kind} cannot be required"
    return lambda rec, where: helper(rec, field, where=where)


def _column(source: str, rule: dict, required: bool) -> Read:
    """Walks the path's parent objects (a missing parent is a missing required column, or a
    null), then reads the leaf."""
    *parents, field = source.split(".")
    if rule["kind"] == "metadata":
        return lambda rec, where: c.metadata(rec)["metadata"]
    leaf = _leaf(rule, required or rule.get("required_with_parent", False), field)
    if not parents:
        return leaf
    obj = c.req_obj if required else c.opt_obj

    def read(rec: dict, where: str) -> object:
        for parent in parents:
            rec = obj(rec, parent, where=where)
            if rec is None:
                return None
            where += parent + "."
        return leaf(rec, where)

    return read


def _at_least(value: int | Decimal | None, minimum: int, label: str, code: str) -> None:
    if minimum == 0:
        c.non_negative(value, label, code)
    elif value is not None and value < minimum:
        raise rule_error(code, f"'{label}' must be at least {minimum}, got {value}")


def _ranges(spec: TableSpec, group: str | None) -> list[tuple[str, int, str, str]]:
    """(column, minimum, path, reason code) of the group's columns whose rule has a `min`."""
    out = []
    for col in spec.columns:
        rule = col.rule or {}
        if "min" in rule and rule.get("group") == group:
            default = "negative_amount" if rule["min"] == 0 else "not_positive"
            out.append((col.name, rule["min"], col.source or col.name, rule.get("code", default)))
    return out


def range_checker(spec: TableSpec, group: str | None = None) -> Callable[..., None]:
    """The `min` checks of a spec's columns on a row, for a module that applies them after
    rules of its own (an invoice's documented order)."""
    ranges = _ranges(spec, group)

    def check(row: dict, where: str = "") -> None:
        for name, minimum, source, code in ranges:
            _at_least(row[name], minimum, where + source, code)

    return check


def reader(
    spec: TableSpec, *, ranges: bool = True, group: str | None = None
) -> Callable[..., dict]:
    """A Stripe object -> its row of the spec's columns (`given` ones None, for the module to
    fill), or raise Rejection; `where` prefixes the paths in messages (`items.data[2].`).
    Without `ranges`, the `min` checks are left to `range_checker`. Columns whose rule names a
    `group` (the fields of one API layout) are read only by the reader of that group, which
    treats `required_in_group` columns as required."""
    columns: list[tuple[str, Read | None]] = []
    for col in spec.columns:
        rule = col.rule or {}
        if rule.get("group") != group or (group is not None and rule["kind"] == "given"):
            continue
        if rule["kind"] == "given":
            columns.append((col.name, None))
            continue
        assert col.source is not None, f"{spec.table}.{col.name} has no source"
        assert ARROW[rule["kind"]] == arrow_type(col.type), f"{spec.table}.{col.name}: type"
        required = col.required or rule.get("required_in_group", False)
        columns.append((col.name, _column(col.source, rule, required)))
    check_ranges = range_checker(spec, group) if ranges else None

    def read(rec: dict, where: str = "") -> dict:
        row = {name: None if column is None else column(rec, where) for name, column in columns}
        if check_ranges is not None:
            check_ranges(row, where)
        return row

    return read


def validator(
    spec: TableSpec, stripe_type: str, check: Callable[[dict], None] | None = None
) -> Callable[[object], dict]:
    """One parsed JSON value -> a row of the spec's schema: the object's type, every column,
    then the table's own `check` (accounting controls)."""
    read = reader(spec)

    def validate(record: object) -> dict:
        row = read(c.stripe_object(record, stripe_type))
        if check is not None:
            check(row)
        return row

    return validate
