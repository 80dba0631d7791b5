"""dbt's unit tests (the derivation, rating and dedup rules on fixed inputs), run once here: the
pipeline's builds leave them out (`--exclude-resource-type unit_test`), as dbt advises for
production runs. Upstream relations are built empty from the lake's schema files, so no world is
needed."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from orchestration.dbt_project import run_dbt
from orchestration.settings import Settings
from sources.landing import ensure_schema_files
from sources.registry import CONTRACTS


def dbt(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    return run_dbt(data_dir, *args, environ={**os.environ, **Settings(data_dir=data_dir).environ()})


def test_every_dbt_unit_test_passes(tmp_path: Path):
    ensure_schema_files(tmp_path / "lake", CONTRACTS)
    empty = dbt(tmp_path, "build", "--empty", "--exclude-resource-type", "unit_test", "test")
    assert empty.returncode == 0, empty.stdout[-4000:]
    tested = dbt(tmp_path, "test", "--select", "test_type:unit")
    assert tested.returncode == 0, tested.stdout[-4000:]
    results = json.loads((tmp_path / "dbt" / "target" / "run_results.json").read_text())
    statuses = [r["status"] for r in results["results"]]
    # every unit test of the project ran (one per derivation, rating and dedup rule)
    manifest = json.loads((tmp_path / "dbt" / "target" / "manifest.json").read_text())
    assert len(statuses) == len(manifest["unit_tests"]) >= 30
    assert set(statuses) == {"pass"}
