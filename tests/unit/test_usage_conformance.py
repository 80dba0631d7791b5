"""Public samples (tests/fixtures/real/usage/, sources in its README): each event lands, or is
quarantined with exactly the reason the README's table gives."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from sources.landing import land_file
from sources.registry import CONTRACTS

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "real" / "usage"
LANDED = "landed"

EXPECTED = {
    "cloudevents_json_format_examples.jsonl": (
        ("usage", "events"),
        ["bad_data_base64", LANDED, LANDED, "conflicting_duplicate", LANDED, "missing_field"],
    ),
    "openmeter_events.jsonl": (
        ("usage", "events"),
        ["missing_field", LANDED, LANDED, LANDED, LANDED, LANDED],
    ),
    "stripe_meter_events.jsonl": (("billing", "meter_events"), [LANDED]),
}


def _rows(lake: Path, area: str) -> list[dict]:
    files = [p for p in (lake / area).rglob("*.parquet") if not p.name.startswith("_")]
    return [row for p in files for row in pq.read_table(p).to_pylist()]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_public_sample_lands_or_has_its_reason(tmp_path: Path, name: str):
    table, outcomes = EXPECTED[name]
    contract = next(c for c in CONTRACTS if (c.system, c.table) == table)
    result = land_file(CORPUS / name, contract, tmp_path)
    assert result.rows_read == len(outcomes) == result.rows_landed + result.rows_quarantined
    reasons = {r["line_number"]: r["reason_code"] for r in _rows(tmp_path, "quarantine")}
    landed = {r["line_number"] for r in _rows(tmp_path, "raw")}
    for line, outcome in enumerate(outcomes, start=1):
        assert (LANDED if line in landed else reasons.get(line)) == outcome, (name, line)


def test_what_the_cloudevents_examples_keep(tmp_path: Path):
    contract = next(c for c in CONTRACTS if (c.system, c.table) == ("usage", "events"))
    land_file(CORPUS / "cloudevents_json_format_examples.jsonl", contract, tmp_path)
    rows = {r["line_number"]: r for r in _rows(tmp_path, "raw")}
    # the XML payload is kept as the string it is; the extension set to null is unset
    assert rows[2]["data"] == json.dumps('<much wow="xml"/>')
    assert rows[2]["datacontenttype"] == "application/xml"
    assert rows[2]["extensions"] == '{"comexampleextension1":"value","comexampleothervalue":5}'
    assert rows[3]["data"] == '{"appinfoA":"abc","appinfoB":123,"appinfoC":true}'
    assert rows[3]["subject"] is None  # sent as null: unset
    assert rows[5]["data"] == '"I\'m just a string"' and rows[5]["datacontenttype"] is None
    [detail] = [r["reason_detail"] for r in _rows(tmp_path, "quarantine") if r["line_number"] == 6]
    assert "'time'" in detail


def test_the_stripe_reference_meter_event(tmp_path: Path):
    contract = next(c for c in CONTRACTS if (c.system, c.table) == ("billing", "meter_events"))
    land_file(CORPUS / "stripe_meter_events.jsonl", contract, tmp_path)
    [row] = _rows(tmp_path, "raw")
    assert (row["event_name"], row["identifier"], row["stripe_customer_id"]) == (
        "ai_search_api",
        "identifier_123",
        "cus_NciAYcXfLnqBoz",
    )
    assert row["value"] == 25 and row["timestamp"].isoformat() == "2023-03-30T21:10:39"
