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
        "type": "com.example.usage.recorded",
        "time": "2026-09-01T00:00:00Z",
        "data": {
            "metric": "api_calls",
            "quantity": 3,
            "subscription": "sub_1",
            "customer": "cus_1",
            "plan_tier": "growth",
            "region": "eu-west",
            "contract_version": 1,
        },
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
    "empty_source": (line(source=""), "missing_field", "schema"),
    "numeric_type": (line(type=7), "wrong_type", "schema"),
    "old_specversion": (line(specversion="0.3"), "unknown_specversion", "schema"),
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
    "data_missing": (line(data=KeyError), "missing_field", "schema"),
    "data_not_object": (line(data=[1]), "missing_field", "schema"),
    "negative_quantity": (line(data__quantity=-1), "negative_quantity", "business_rule"),
    "quantity_text": (line(data__quantity="three"), "wrong_type", "schema"),
    "quantity_boolean": (line(data__quantity=True), "wrong_type", "schema"),
    "quantity_missing": (line(data__quantity=KeyError), "missing_field", "schema"),
    "quantity_too_precise": (
        b'{"specversion":"1.0","id":"e","source":"s","type":"t","time":"2026-09-01T00:00:00Z",'
        b'"data":{"metric":"m","quantity":0.0000000001,"subscription":"s","plan_tier":"p",'
        b'"region":"r","contract_version":1}}',
        "too_many_decimals",
        "schema",
    ),
    "quantity_nan_string": (line(data__quantity="NaN"), "wrong_type", "schema"),
    "metric_missing": (line(data__metric=KeyError), "missing_field", "schema"),
    "no_subscription_or_customer": (
        line(data__subscription=KeyError, data__customer=KeyError),
        "missing_field",
        "schema",
    ),
    "contract_version_text": (line(data__contract_version="1"), "wrong_type", "schema"),
    "contract_version_zero": (
        line(data__contract_version=0),
        "contract_version_out_of_range",
        "business_rule",
    ),
    "plan_tier_missing": (line(data__plan_tier=KeyError), "missing_field", "schema"),
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
