"""One spec per landed table (`sources/specs/<system>/<table>.json`): the Arrow schema and the
validator's fields come from it, and each contract module's docstring column table is the one
rendered from it, so a column added to one and not the other fails here."""

from __future__ import annotations

import dataclasses
import json
import re
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from sources import billing, crm, spec_docs, table_spec
from sources.billing import _fields
from sources.contract import Rejection
from sources.csv_fields import Field
from sources.erp import _sync
from sources.registry import CONTRACTS
from sources.source_columns import lake_tables
from sources.table_spec import SPECS, Column, documented_tables, render_table
from sources.usage import events

MODULES = spec_docs.spec_modules()
BY_TABLE = {(c.system, c.table): c for c in CONTRACTS}


def ids(module) -> str:
    return f"{module.SPEC.system}/{module.SPEC.table}"


@pytest.mark.parametrize("module", MODULES, ids=ids)
def test_docstring_column_tables_are_the_specs(module):
    """`python -m sources.spec_docs` rewrites a table that differs."""
    expected = [render_table(spec) for spec in table_spec.module_specs(module)]
    assert documented_tables(module.__doc__) == expected


@pytest.mark.parametrize("module", MODULES, ids=ids)
def test_landed_schema_is_the_spec(module):
    spec = module.SPEC
    contract = BY_TABLE[(spec.system, spec.table)]
    landed = list(contract.schema)
    for child in table_spec.module_specs(module)[1:]:
        assert contract.children[child.table] == table_spec.schema(child)
    if spec.system == "erp":  # the sync tool's columns follow the table's own
        sync = [f.name for f in landed[len(spec.columns) :]]
        assert sync == [_sync.IS_DELETED, *_sync.MARKER_COLUMNS.values()]
    else:
        assert len(landed) == len(spec.columns)
    for field, column in zip(landed, spec.columns, strict=False):
        assert (field.name, field.type) == (column.name, table_spec.arrow_type(column.type))
        key_or_required = column.name in spec.key if spec.system == "erp" else column.required
        assert field.nullable is not key_or_required, column.name
    assert len(landed) >= len(spec.columns)


def test_every_spec_file_is_a_landed_table():
    files = {(p.parent.name, p.stem) for p in SPECS.glob("*/*.json") if not p.name.startswith("_")}
    documented = {(s.system, s.table) for m in MODULES for s in table_spec.module_specs(m)}
    assert files == documented
    # every landed table but landing's own (ledger, quarantine) is declared by a spec
    assert files == {(s, t) for s, t in lake_tables(CONTRACTS) if s != "landing"}


def test_every_column_has_a_rule_and_a_description():
    for module in MODULES:
        for column in module.SPEC.columns:
            assert column.description.strip(), f"{ids(module)}.{column.name}"
            assert (column.rule is None) == (column.companion_of is not None), column.name


# a schema, a CSV field or a Stripe field helper (`req_amount`, `opt_ref`, ...) written by hand;
# the nested lists a child table comes from (`opt_array`, `list_data`) are the module's to read
_HAND_WRITTEN = re.compile(r"pa\.schema\(|pa\.field\(|\bField\(|\b(?:req|opt)_(?!array\b)[a-z]+\(")


# Invoices read their columns through the spec too (a line by group: its layout's, the expanded
# price's, the parent type's), but check by hand what they do not land (`pricing.type`,
# `parent.type` of the header) and the id of an unexpanded `price`.
READ_BY_SPEC = [m for m in MODULES if m is not billing.invoices]


@pytest.mark.parametrize("module", READ_BY_SPEC, ids=ids)
def test_no_module_restates_its_columns(module):
    code = Path(module.__file__).read_text().split('"""', 2)[2]
    assert not _HAND_WRITTEN.search(code)
    for column in module.SPEC.columns:
        # a column is named in code only by a rule across columns, never to declare it
        assert f'Field("{column.name}"' not in code


def _with(spec, **changes):
    return dataclasses.replace(spec, **changes)


def test_a_column_missing_from_the_docs_fails():
    spec = crm.accounts.SPEC
    extra = Column("tax_id", "string", False, "the customer's tax id", "tax_id", {"kind": "text"})
    grown = _with(spec, columns=(*spec.columns, extra))
    assert documented_tables(crm.accounts.__doc__)[0] != render_table(grown)
    assert "| tax_id | string | no | the customer's tax id |" in render_table(grown)
    rewritten = table_spec.rewrite_doc(crm.accounts.__doc__, [grown])
    assert documented_tables(rewritten) == [render_table(grown)]


def test_a_column_missing_from_the_spec_fails():
    spec = crm.accounts.SPEC
    shrunk = _with(spec, columns=spec.columns[:-1])
    assert documented_tables(crm.accounts.__doc__)[0] != render_table(shrunk)


def _load(tmp_path, monkeypatch, columns: list[dict], kinds: dict | None = None):
    folder = tmp_path / "demo"
    folder.mkdir()
    spec = {"system": "demo", "table": "t", "format": "csv", "key": ["id"], "columns": columns}
    (folder / "t.json").write_text(json.dumps(spec))
    if kinds is not None:
        (folder / "_kinds.json").write_text(json.dumps(kinds))
    monkeypatch.setattr(table_spec, "SPECS", tmp_path)
    table_spec.load.cache_clear()
    table_spec._named_kinds.cache_clear()
    try:
        return table_spec.load("demo", "t")
    finally:
        table_spec.load.cache_clear()
        table_spec._named_kinds.cache_clear()


def _col(name, type_, rule, required=False, **extra):
    return {
        "name": name,
        "type": type_,
        "required": required,
        "source": name,
        "rule": rule,
        "description": "d",
        **extra,
    }


def test_spec_builds_fields_schema_and_kinds(tmp_path, monkeypatch):
    spec = _load(
        tmp_path,
        monkeypatch,
        [
            _col("id", "int64", {"kind": "id"}, required=True),
            _col("fee", "decimal128(38,9)", {"kind": "money"}),
            _col("day", "date32", {"kind": "ns_date"}),
            {
                "name": "day_time",
                "type": "string",
                "required": False,
                "companion_of": "day",
                "description": "d",
            },
        ],
        kinds={"money": {"kind": "decimal", "scale": 2, "min": 0, "code": "negative_fee"}},
    )
    assert [f.name for f in spec.fields] == ["id", "fee", "day"]
    assert all(isinstance(f, Field) for f in spec.fields)
    assert table_spec.schema(spec) == pa.schema(
        [
            pa.field("id", pa.int64(), nullable=False),
            pa.field("fee", pa.decimal128(38, 9)),
            pa.field("day", pa.date32()),
            pa.field("day_time", pa.string()),
        ]
    )
    fee = spec.fields[1].kind
    for text, code in (("-1", "negative_fee"), ("1.234", "too_many_decimals")):
        with pytest.raises(Rejection) as rejected:
            fee.parse(text, "fee")
        assert rejected.value.reason_code == code
    assert fee.parse("1.23", "fee") == Decimal("1.230000000")


@pytest.mark.parametrize(
    "columns",
    [
        [_col("id", "string", {"kind": "id"})],  # the rule lands int64
        [_col("id", "int64", {"kind": "id"}), _col("n", "decimal128(38,9)", {"kind": "text"})],
        [_col("id", "int64", {"kind": "id"}), _col("day", "date32", {"kind": "ns_date"})],
        [_col("id", "int64", {"kind": "nope"})],
        [_col("id", "int64", {"kind": "id"}, source="ID")],
        [_col("other", "int64", {"kind": "id"})],  # the key is not a column
    ],
    ids=["type", "decimal-as-text", "companion-missing", "unknown-kind", "renamed", "key"],
)
def test_an_inconsistent_spec_is_refused(tmp_path, monkeypatch, columns):
    with pytest.raises((AssertionError, ValueError, KeyError)):
        _load(tmp_path, monkeypatch, columns)


# --- Stripe: one generic field reader ------------------------------------------------------


def _json_spec(columns: list[Column]):
    return table_spec.TableSpec("billing", "t", "json", ("id",), tuple(columns), ())


def test_stripe_reader_follows_paths_rules_and_ranges():
    spec = _json_spec(
        [
            Column("id", "string", True, "d", "id", {"kind": "id", "prefix": ["ch_", "py_"]}),
            Column("amount", "int64", True, "d", "amount", {"kind": "amount", "min": 0}),
            Column("kind", "string", True, "d", "payment.type", {"kind": "enum", "values": ["a"]}),
            Column(
                "who", "string", False, "d", "payment.customer", {"kind": "ref", "prefix": "cus_"}
            ),
        ]
    )
    read = _fields.reader(spec)
    row = read({"id": "py_1", "amount": 5, "payment": {"type": "a", "customer": {"id": "cus_9"}}})
    assert row == {"id": "py_1", "amount": 5, "kind": "a", "who": "cus_9"}
    cases = [
        ({"id": "x_1", "amount": 5, "payment": {"type": "a"}}, "bad_id_prefix", "'id'"),
        ({"id": "ch_1", "amount": 5}, "missing_field", "'payment'"),
        ({"id": "ch_1", "amount": 5, "payment": {"type": "b"}}, "unknown_type", "'payment.type'"),
        ({"id": "ch_1", "amount": -1, "payment": {"type": "a"}}, "negative_amount", "'amount'"),
        ({"id": "ch_1", "amount": 1.5, "payment": {"type": "a"}}, "wrong_type", "'amount'"),
    ]
    for record, code, named in cases:
        with pytest.raises(Rejection) as rejected:
            read(record)
        assert rejected.value.reason_code == code, record
        assert named in rejected.value.detail


@pytest.mark.parametrize("module", billing.SPEC_MODULES, ids=ids)
def test_stripe_specs_type_each_column_as_its_rule_lands_it(module):
    for spec in table_spec.module_specs(module):
        _fields.reader(spec)  # asserts every column's type is what its rule lands


def test_stripe_reader_refuses_a_type_its_rule_does_not_land():
    spec = _json_spec([Column("id", "int64", True, "d", "id", {"kind": "id", "prefix": "x_"})])
    with pytest.raises(AssertionError):
        _fields.reader(spec)


# --- usage events: a hand-written validator (the hot path), checked against its spec ---------

EVENT = {
    "specversion": "1.0",
    "id": "req-01",
    "source": "//api.example.com/eu-west",
    "type": "com.example.api.request",
    "subject": "sub_0001",
    "time": "2026-09-01T10:00:00Z",
    "datacontenttype": "application/json",
    "dataschema": "https://example.com/schema",
    "data": {"status": 200},
    "traceparent": "00-abc",
}


def test_usage_validator_lands_the_spec_columns():
    spec = events.SPEC
    assert list(events.validate(dict(EVENT))) == [c.name for c in spec.columns]
    # the envelope the validator and the columnar path read is the spec's sourced columns
    sourced = [c.source for c in spec.columns if c.source not in (None, "*")]
    assert list(events.ENVELOPE) == sourced


@pytest.mark.parametrize(
    "column", [c for c in events.SPEC.columns if c.required and c.source], ids=lambda c: c.name
)
def test_usage_validator_requires_what_the_spec_requires(column):
    event = {k: v for k, v in EVENT.items() if k != column.source}
    with pytest.raises(Rejection) as rejected:
        events.validate(event)
    assert rejected.value.reason_code == "missing_field"


@pytest.mark.parametrize(
    "column",
    [c for c in events.SPEC.columns if not c.required and c.source not in (None, "*")],
    ids=lambda c: c.name,
)
def test_usage_validator_accepts_what_the_spec_leaves_optional(column):
    event = {k: v for k, v in EVENT.items() if k != column.source}
    assert events.validate(event)[column.name] is None


def test_stripe_reader_reads_a_group_only_when_asked():
    spec = _json_spec(
        [
            Column("id", "string", True, "d", "id", {"kind": "id", "prefix": "il_"}),
            Column("kind", "string", False, "d", "type", {"kind": "string", "group": "old"}),
            Column(
                "flag",
                "bool",
                False,
                "d",
                "proration",
                {"kind": "bool", "group": "old", "required_in_group": True},
            ),
        ]
    )
    assert _fields.reader(spec)({"id": "il_1"}) == {"id": "il_1"}
    old = _fields.reader(spec, group="old")
    assert old({"type": "x", "proration": False}, "lines.data[0].") == {"kind": "x", "flag": False}
    with pytest.raises(Rejection) as rejected:
        old({"type": "x"}, "lines.data[0].")
    assert rejected.value.reason_code == "missing_field"
    assert "'lines.data[0].proration'" in rejected.value.detail
