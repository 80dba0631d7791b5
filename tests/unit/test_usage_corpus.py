"""Bad-input corpus for usage events: each malformation is quarantined with its reason."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from sources.landing import land_file
from sources.registry import CONTRACTS

USAGE = next(c for c in CONTRACTS if (c.system, c.table) == ("usage", "events"))


def good(**changes) -> dict:
    event = {
        "specversion": "1.0",
        "id": "e1",
        "source": "//p/m",
        "type": "com.example.api.request",
        "time": "2026-09-01T00:00:00Z",
        "data": {"method": "GET", "route": "/v1/items", "duration_ms": 3},
    }
    for path, value in changes.items():
        target = event
        *parents, leaf = path.split("__")
        for p in parents:
            target = target[p]
        if value is KeyError:
            del target[leaf]
        else:
            target[leaf] = value
    return event


def line(**changes) -> bytes:
    return json.dumps(good(**changes)).encode()


CORPUS = {
    "truncated_json": (b'{"specversion": "1.0", "id": "e1", "sour', "malformed_json", "schema"),
    "invalid_utf8": (b'{"id": "\xff\xfe"}', "invalid_utf8", "schema"),
    "blank_line": (b"   ", "empty_line", "schema"),
    "json_array": (b"[1, 2, 3]", "not_an_object", "schema"),
    "json_string": (b'"an event"', "not_an_object", "schema"),
    "missing_id": (line(id=KeyError), "missing_field", "schema"),
    "null_id": (line(id=None), "missing_field", "schema"),
    "empty_source": (line(source=""), "missing_field", "schema"),
    "numeric_type": (line(type=7), "wrong_type", "schema"),
    "numeric_subject": (line(subject=7), "wrong_type", "schema"),
    "old_specversion": (line(specversion="0.3"), "unknown_specversion", "schema"),
    "time_missing": (line(time=KeyError), "missing_field", "schema"),
    "time_without_offset": (line(time="2026-09-01T00:00:00"), "timestamp_without_offset", "schema"),
    "time_not_a_date": (line(time="tomorrow"), "bad_timestamp", "schema"),
    "time_epoch_zero": (
        line(time="1970-01-01T00:00:00Z"),
        "timestamp_out_of_range",
        "business_rule",
    ),
    "time_far_future": (
        line(time="2999-01-01T00:00:00Z"),
        "timestamp_out_of_range",
        "business_rule",
    ),
    "duplicate_member": (
        line().replace(b'"id": "e1"', b'"id": "e1", "id": "e2"'),
        "duplicate_key",
        "schema",
    ),
    "duplicate_data_member": (
        line().replace(b'"duration_ms": 3', b'"duration_ms": 3, "duration_ms": 4'),
        "duplicate_key",
        "schema",
    ),
    "imprecise_number": (
        line().replace(b'"duration_ms": 3', b'"duration_ms": 0.30000000000000001'),
        "imprecise_number",
        "schema",
    ),
    "nan": (line().replace(b'"duration_ms": 3', b'"duration_ms": NaN'), "malformed_json", "schema"),
    "lone_surrogate": (line(subject="\ud800"), "invalid_unicode", "schema"),
    "data_and_data_base64": (line(data_base64="eyJ4IjoxfQ=="), "data_and_data_base64", "schema"),
    "bad_data_base64": (line(data=KeyError, data_base64="%%%"), "bad_data_base64", "schema"),
    "numeric_dataschema": (line(dataschema=1), "wrong_type", "schema"),
}


def quarantine(lake: Path) -> list[dict]:
    files = [p for p in (lake / "quarantine").rglob("*.parquet") if not p.name.startswith("_")]
    return [row for p in files for row in pq.read_table(p).to_pylist()]


@pytest.mark.parametrize("case", sorted(CORPUS), ids=sorted(CORPUS))
def test_usage_malformation_has_its_reason(tmp_path: Path, case: str):
    bad, reason, klass = CORPUS[case]
    path = tmp_path / "events.jsonl"
    path.write_bytes(line() + b"\n" + bad + b"\n")
    result = land_file(path, USAGE, tmp_path / "lake")
    assert (result.rows_read, result.rows_landed, result.rows_quarantined) == (2, 1, 1)
    [row] = quarantine(tmp_path / "lake")
    assert (row["line_number"], row["reason_code"], row["reason_class"]) == (2, reason, klass)
    assert row["payload"]  # the original line is kept


def test_truncated_gzip_keeps_what_was_readable(tmp_path: Path):
    whole = gzip.compress(b"\n".join(line(id=f"e{i}") for i in range(2000)) + b"\n")
    path = tmp_path / "events.jsonl.gz"
    path.write_bytes(whole[: len(whole) // 2])
    result = land_file(path, USAGE, tmp_path / "lake")
    assert result.rows_read == result.rows_landed + result.rows_quarantined
    assert result.rows_landed > 0
    assert [r["reason_code"] for r in quarantine(tmp_path / "lake")][-1] == "unreadable_file"


def test_any_payload_lands_as_it_came(tmp_path: Path):
    """What a product puts in `data` is the meters' business, not landing's."""
    events = [
        good(),
        good(id="e2", data=KeyError),
        good(id="e3", data=None),
        good(id="e4", data="just text", datacontenttype="text/plain"),
        good(id="e5", data=[1, {"a": None}]),
        good(id="e6", data=KeyError, data_base64="eyJ4IjoxfQ=="),
        good(id="e7", comexampleextension1="value", comexampleothervalue=5, unsetext=None),
    ]
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"\n".join(json.dumps(e).encode() for e in events) + b"\n")
    result = land_file(path, USAGE, tmp_path / "lake")
    assert (result.rows_read, result.rows_landed, result.rows_quarantined) == (7, 7, 0)
    raw = tmp_path / "lake" / "raw"
    files = [p for p in raw.rglob("*.parquet") if not p.name.startswith("_")]
    rows = {r["id"]: r for p in files for r in pq.read_table(p).to_pylist()}
    assert rows["e1"]["data"] == '{"method":"GET","route":"/v1/items","duration_ms":3}'
    assert rows["e2"]["data"] is None and rows["e3"]["data"] == "null"
    assert rows["e4"]["data"] == '"just text"'
    assert rows["e5"]["data"] == '[1,{"a":null}]'
    assert (rows["e6"]["data"], rows["e6"]["data_base64"]) == (None, "eyJ4IjoxfQ==")
    assert rows["e7"]["extensions"] == '{"comexampleextension1":"value","comexampleothervalue":5}'
