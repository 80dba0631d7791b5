"""The usage generator writes the same bytes as before it was vectorized with polars: the usage
inbox (decompressed) and the answer key of two worlds, against digests recorded with the
per-event generator (tests/fixtures/demo_world_digests.json). "tiny" has every anomaly
(re-deliveries carried to the next day, conflicting re-sends, late and unknown events); "batches"
has days of 700,000 events, so a day spans many polars batches and gzip members.

`python -m tests.unit.test_demo_world_parity` rewrites the fixture from the current generator:
only when the generator's output is meant to change."""

from __future__ import annotations

import gzip
import hashlib
import json
import sys
from pathlib import Path

import pytest

from demo_world.generate import GenerateOptions, generate

FIXTURE = Path(__file__).parents[1] / "fixtures" / "demo_world_digests.json"
RECORDED = json.loads(FIXTURE.read_text())


def digests(root: Path) -> dict[str, str]:
    """sha256 per file of the usage inbox (the content of a .gz: its header holds a time) and of
    the answer key."""
    files = [*sorted((root / "inbox" / "usage").rglob("*")), root / "answer_key.json"]
    return {
        str(p.relative_to(root)): hashlib.sha256(
            gzip.decompress(p.read_bytes()) if p.suffix == ".gz" else p.read_bytes()
        ).hexdigest()
        for p in files
        if p.is_file()
    }


def generated(out: Path, options: dict) -> dict[str, str]:
    generate(GenerateOptions(out=out, **options))
    return digests(out)


@pytest.mark.parametrize("name", sorted(RECORDED["worlds"]))
def test_the_generator_writes_the_recorded_bytes(name: str, tmp_path: Path):
    world = RECORDED["worlds"][name]
    assert generated(tmp_path, world["options"]) == world["files"]


if __name__ == "__main__":  # rewrite the fixture from the current generator
    import tempfile

    for world in RECORDED["worlds"].values():
        with tempfile.TemporaryDirectory() as out:
            world["files"] = generated(Path(out), world["options"])
    FIXTURE.write_text(json.dumps(RECORDED, indent=1, sort_keys=True) + "\n")
    sys.exit(0)
