"""Land a whole generated world: every row accounted for, only the injected faults rejected."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from demo_world.generate import GenerateOptions, generate
from sources.landing import land_inbox
from sources.registry import CONTRACTS

SMALL = {"seed": 5, "customers": 10, "days": 62, "events_per_day": 300}


def rows_in(path: Path) -> int:
    """Count data rows of an inbox file independently of the landing code."""
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", newline="") as fh:
        if ".csv" in path.name:
            return sum(1 for _ in csv.reader(fh)) - 1
        return sum(1 for _ in fh)


def read(lake: Path, *parts: str) -> list[dict]:
    folder = lake.joinpath(*parts)
    files = [p for p in folder.rglob("*.parquet") if not p.name.startswith(("_", "."))]
    return [row for p in files for row in pq.read_table(p).to_pylist()]


@pytest.fixture(scope="module", params=[False, True], ids=["faulty", "clean"])
def landed(request, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("clean" if request.param else "faulty")
    generate(GenerateOptions(out=out, clean=request.param, **SMALL))
    results = land_inbox(out / "inbox", out / "lake", CONTRACTS)
    return out, results, request.param


def test_every_row_of_every_file_is_accounted_for(landed):
    out, results, _ = landed
    files = sorted(p for p in (out / "inbox").rglob("*") if p.is_file())
    assert {r.file_name for r in results} == {p.name for p in files}
    by_name = {p.name: rows_in(p) for p in files}
    for r in results:
        assert r.rows_read == r.rows_landed + r.rows_quarantined
        assert r.rows_read == by_name[r.file_name], r.file_name
    ledger = read(out / "lake", "_ledger")
    assert sum(r["rows_read"] for r in ledger) == sum(by_name.values())
    assert all(r["rows_read"] == r["rows_landed"] + r["rows_quarantined"] for r in ledger)


def test_only_the_injected_conflicts_are_quarantined(landed):
    out, _, clean = landed
    quarantined = {
        (r["file_name"], r["line_number"], r["reason_code"])
        for r in read(out / "lake", "quarantine")
    }
    key = json.loads((out / "answer_key.json").read_text())
    expected = {
        (e["key"]["file_name"], e["key"]["line_number"], e["key"]["reason_code"])
        for e in key
        if e["mart"] == "ops_quarantine"
    }
    assert quarantined == expected
    assert bool(expected) is not clean


def test_both_stripe_invoice_line_layouts_land(landed):
    out, _, _ = landed
    layouts = {r["layout"] for r in read(out / "lake", "raw", "billing", "invoice_lines")}
    assert layouts == {"pre_2025", "2025_03_31"}


def test_relanding_the_same_inbox_lands_nothing(landed):
    out, _, _ = landed
    before = sorted(p.relative_to(out) for p in (out / "lake").rglob("*.parquet"))
    again = land_inbox(out / "inbox", out / "lake", CONTRACTS)
    assert again and all(r.skipped for r in again)
    assert sorted(p.relative_to(out) for p in (out / "lake").rglob("*.parquet")) == before
