"""`u2c generate --gzip`: a big world's usage inbox as .jsonl.gz, the same world otherwise."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path

import pytest

from demo_world.generate import GenerateOptions, generate
from sources.landing import land_inbox
from sources.registry import CONTRACTS

# a world long enough for every usage anomaly: re-deliveries, conflicts, extra and late files
WORLD = {"days": 75, "customers": 6, "events_per_day": 400}


@pytest.fixture(scope="module")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    plain = tmp_path_factory.mktemp("plain")
    gzipped = tmp_path_factory.mktemp("gzipped")
    generate(GenerateOptions(out=plain, **WORLD))
    generate(GenerateOptions(out=gzipped, gzip=True, **WORLD))
    return plain, gzipped


def _usage(inbox: Path) -> dict[str, tuple[bytes, int]]:
    """Usage files by their name without .gz: content (decompressed) and delivery time."""
    found = {}
    for path in sorted((inbox / "usage").iterdir()):
        opener = gzip.open if path.name.endswith(".gz") else open
        with opener(path, "rb") as fh:
            found[path.name.removesuffix(".gz")] = (fh.read(), path.stat().st_mtime_ns)
    return found


def test_the_gzipped_day_files_hold_the_same_lines_delivered_at_the_same_times(worlds):
    plain, gzipped = worlds
    day_files = sorted(p.name for p in (gzipped / "inbox" / "usage").glob("events_2*.jsonl.gz"))
    assert len(day_files) == WORLD["days"]
    # the extra and late deliveries are small: they stay plain
    assert any(not p.name.endswith(".gz") for p in (gzipped / "inbox" / "usage").iterdir())
    assert _usage(gzipped / "inbox") == _usage(plain / "inbox")
    for system in ("billing", "crm", "erp"):
        for path in (plain / "inbox" / system).iterdir():
            assert (gzipped / "inbox" / system / path.name).read_bytes() == path.read_bytes()


def test_the_answer_key_names_the_gzipped_files(worlds):
    plain, gzipped = worlds
    key = (gzipped / "answer_key.json").read_text()
    assert ".jsonl.gz" in key
    names = {p.name for p in (gzipped / "inbox" / "usage").iterdir()}
    for entry in json.loads(key):
        name = entry["key"].get("file_name")
        assert name is None or name in names, entry
    # the same entries, but for the day files' names
    expected = (plain / "answer_key.json").read_text()
    for name in names:
        if name.endswith(".gz"):
            expected = expected.replace(f'"{name.removesuffix(".gz")}"', f'"{name}"')
    assert key == expected


def test_the_gzipped_world_lands_as_the_plain_one(worlds, tmp_path: Path):
    landed = []
    for world in worlds:
        results = land_inbox(world / "inbox", tmp_path / world.name / "lake", CONTRACTS)
        counts: Counter = Counter()
        for r in results:
            counts[(r.system, r.table, "read")] += r.rows_read
            counts[(r.system, r.table, "landed")] += r.rows_landed
            counts[(r.system, r.table, "quarantined")] += r.rows_quarantined
        landed.append(counts)
        assert all(r.rows_read == r.rows_landed + r.rows_quarantined for r in results)
    assert landed[0] == landed[1]
    assert landed[0][("usage", "events", "landed")] > WORLD["days"] * WORLD["events_per_day"] * 0.9
    assert landed[0][("usage", "events", "quarantined")] > 0  # the conflicting re-sends
