"""One declarative spec per landed table: `sources/specs/<system>/<table>.json`.

A spec names its `format` (`csv`, `json`) and `key` and lists the table's landed columns in
order. Each column has its `name`, Arrow `type` (`int64`, `string`, `bool`, `date32`,
`timestamp(us)`, `decimal128(38,9)`, `list<int64>`), whether the record must fill it
(`required`), its `source` (the CSV column, or the JSON path: `payment.charge`), its `rule`
and a one-line `description`. CSV rules are kinds of `sources/csv_fields.py` with their
parameters, or kinds a system names once in `specs/<system>/_kinds.json`; Stripe rules are
read by `sources/billing/_fields.py`. A column a CSV kind fills beside another (the time a
NetSuite date carried, the ids of a multi-select) names that column in `companion_of` instead
of a source and a rule.

From the spec come the table's Arrow schema (`schema`), the CSV `Field`s it is validated with,
and the column tables of the contract module's docstring (`render_table`; `python -m
sources.spec_docs` rewrites the docstrings, a test fails when one differs). Rules across
columns (start <= end, debit xor credit) stay in the table's module.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

import pyarrow as pa

from sources import csv_fields
from sources.contract import TIMESTAMP, ReasonClass
from sources.csv_fields import Field, Kind

SPECS = Path(__file__).resolve().parent / "specs"

_TYPES = {
    "string": pa.string(),
    "int64": pa.int64(),
    "bool": pa.bool_(),
    "date32": pa.date32(),
    "timestamp(us)": TIMESTAMP,
    "list<int64>": pa.list_(pa.int64()),
}
_DECIMAL_TYPE = re.compile(r"decimal128\((\d+),(\d+)\)")

# Kinds that take no parameters, by the name a spec gives them.
_CONSTANT_KINDS = {
    "text": csv_fields.TEXT,
    "id": csv_fields.ID,
    "line_id": csv_fields.LINE_ID,
    "id_list": csv_fields.ID_LIST,
    "flag": csv_fields.FLAG,
    "boolean": csv_fields.BOOLEAN,
    "date": csv_fields.DATE,
    "ns_date": csv_fields.NS_DATE,
    "ns_timestamp": csv_fields.NS_TIMESTAMP,
    "rfc3339": csv_fields.RFC3339,
    "currency": csv_fields.CURRENCY,
    "country": csv_fields.COUNTRY,
}


def arrow_type(name: str) -> pa.DataType:
    """The Arrow type a spec names."""
    match = _DECIMAL_TYPE.fullmatch(name)
    if match:
        return pa.decimal128(int(match[1]), int(match[2]))
    if name not in _TYPES:
        raise ValueError(f"unknown type {name!r}")
    return _TYPES[name]


def _reason_class(rule: dict) -> ReasonClass:
    return ReasonClass(rule.get("class", ReasonClass.BUSINESS_RULE.value))


def _kind(rule: dict, arrow: pa.DataType, named: dict[str, dict]) -> Kind:
    """The Kind a rule describes; `arrow` is the column's type (a decimal's landed type)."""
    name = rule["kind"]
    if name in named:
        return _kind({**named[name], **{k: v for k, v in rule.items() if k != "kind"}}, arrow, {})
    if name in _CONSTANT_KINDS:
        return _CONSTANT_KINDS[name]
    if name == "integer":
        return csv_fields.integer(
            rule.get("min"),
            rule.get("max"),
            code=rule.get("code", "out_of_range"),
            reason_class=_reason_class(rule),
        )
    if name == "decimal":
        minimum = rule.get("min")
        return csv_fields.decimal(
            rule.get("scale", 9),
            arrow,  # type: ignore[arg-type]
            minimum=None if minimum is None else Decimal(str(minimum)),
            exclusive=rule.get("exclusive", False),
            code=rule.get("code", "negative_value"),
            reason_class=_reason_class(rule),
        )
    if name == "enum":
        return csv_fields.enum(*rule["values"])
    if name == "identifier":
        return csv_fields.identifier(rule["prefix"])
    if name == "pattern":
        return csv_fields.pattern(rule["regex"], rule["code"], rule["shape"])
    raise ValueError(f"unknown rule kind {name!r}")


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool
    description: str
    source: str | None = None
    rule: dict | None = None
    companion_of: str | None = None


@dataclass(frozen=True)
class TableSpec:
    system: str
    table: str
    # `csv` (typed by `csv_fields`) or `json` (Stripe: `billing/_fields.py`; usage events:
    # `usage/events.py`, checked against the spec by a test)
    format: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    fields: tuple[Field, ...]  # CSV: the columns read from the file, typed by their rule

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def column_names(self) -> list[str]:
        """The CSV columns the table reads, in order."""
        return [f.name for f in self.fields]

    @property
    def required(self) -> set[str]:
        return {f.name for f in self.fields if f.required}


def _check(spec: TableSpec) -> None:
    """The spec agrees with itself: every column is typed as its kind lands it, companions
    follow the column that fills them, the key is among the columns."""
    where = f"{spec.system}/{spec.table}"
    fields = {f.name: f for f in spec.fields}
    previous: Column | None = None
    for column in spec.columns:
        if column.companion_of is None:
            assert column.source == column.name, f"{where}.{column.name}: CSV columns keep names"
            kind = fields[column.name].kind
            assert kind.arrow == arrow_type(column.type), f"{where}.{column.name}: type"
        else:
            assert previous is not None and previous.name == column.companion_of, (
                f"{where}.{column.name} must follow {column.companion_of}"
            )
            companion = fields[column.companion_of].kind.companion
            assert companion == (
                column.name[len(column.companion_of) :],
                arrow_type(column.type),
            ), f"{where}.{column.name}: not what {column.companion_of}'s rule fills"
        previous = column
    for field in spec.fields:
        if field.kind.companion is not None:
            suffix = field.kind.companion[0]
            assert any(c.name == field.name + suffix for c in spec.columns), (
                f"{where}: {field.name}{suffix} is filled by {field.name}'s rule but not listed"
            )


@cache
def _named_kinds(system: str) -> dict[str, dict]:
    path = SPECS / system / "_kinds.json"
    return json.loads(path.read_text()) if path.exists() else {}


@cache
def load(system: str, table: str) -> TableSpec:
    """The spec of one table, checked."""
    data = json.loads((SPECS / system / f"{table}.json").read_text())
    columns = tuple(Column(**c) for c in data["columns"])
    fields: tuple[Field, ...] = ()
    if data["format"] == "csv":
        named = _named_kinds(system)
        fields = tuple(
            Field(c.name, _kind(c.rule, arrow_type(c.type), named), required=c.required)
            for c in columns
            if c.companion_of is None and c.rule is not None
        )
    spec = TableSpec(
        data["system"], data["table"], data["format"], tuple(data["key"]), columns, fields
    )
    assert (spec.system, spec.table) == (system, table), f"{system}/{table}.json names itself"
    assert {c.name for c in columns} >= set(spec.key), f"{system}/{table}: key {spec.key}"
    if spec.format == "csv":
        _check(spec)
    else:
        assert spec.format == "json", f"{system}/{table}: format {spec.format!r}"
    return spec


def schema(spec: TableSpec, *, non_null: set[str] | None = None) -> pa.Schema:
    """The landed schema of the spec's columns: non-null when required (or in `non_null`)."""
    return pa.schema(
        pa.field(
            c.name,
            arrow_type(c.type),
            nullable=not (c.required if non_null is None else c.name in non_null),
        )
        for c in spec.columns
    )


# --- docs -------------------------------------------------------------------------------

# A CSV column is read from the column of its name; a JSON one from its path, shown (`from`)
# unless it is the column's name with `.` for `_` (`status_transitions.paid_at`).
CSV_HEADER = "| column | landed type | required | rule |\n|---|---|---|---|\n"
JSON_HEADER = "| column | landed type | required | from | rule |\n|---|---|---|---|---|\n"
_DOC_TABLE = re.compile(
    r"^\| column \| landed type \| required \|(?: from \|)? rule \|\n(?:^\|.*\n)*", re.M
)


def render_table(spec: TableSpec) -> str:
    """The column table of the contract's docstring."""
    rows = []
    for c in spec.columns:
        cells = [c.name, c.type, "yes" if c.required else "no"]
        if spec.format == "json":  # the path, unless it is the name with `.` for `_`
            plain = c.source is None or c.source.replace(".", "_") == c.name
            cells.append("" if plain else f"`{c.source}`")
        rows.append(("| " + " | ".join([*cells, c.description]) + " |").replace("|  |", "| |"))
    header = JSON_HEADER if spec.format == "json" else CSV_HEADER
    return header + "\n".join(rows) + "\n"


def documented_tables(doc: str) -> list[str]:
    """The column tables of a docstring, in order."""
    return [match.group(0) for match in _DOC_TABLE.finditer(doc)]


def module_specs(module) -> list[TableSpec]:
    """The specs a contract module documents: its table's, then its child tables'."""
    return [module.SPEC, *getattr(module, "CHILD_SPECS", ())]


def rewrite_doc(text: str, specs: list[TableSpec]) -> str:
    """A module's source with its docstring's column tables rendered from the specs."""
    if len(documented_tables(text)) != len(specs):
        raise ValueError(f"{specs[0].system}/{specs[0].table}: one column table per spec")
    tables = iter(specs)
    return _DOC_TABLE.sub(lambda _: render_table(next(tables)), text)
