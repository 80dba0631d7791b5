"""Built worlds shared by the integration modules: a small default world (every injected
discrepancy) and its clean twin, each generated, landed, built with `dbt build` and its ERP
journals exported (then the export confirmation rebuilt) once per test session (the tests only
read them)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from demo_world.generate import GenerateOptions, generate
from exports.erp_journals import export_journals
from sources.landing import land_inbox
from sources.registry import CONTRACTS

DBT = Path(sys.executable).parent / "dbt"
DBT_PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"


def warehouse_copy(world: Path, out: Path) -> Path:
    """A data dir at `out` holding a copy of `world`'s warehouse, to tamper with."""
    out.mkdir()
    shutil.copy(world / "warehouse.duckdb", out / "warehouse.duckdb")
    return out


def dbt_test(data_dir: Path, *select: str) -> list[dict]:
    """`dbt test --select <select>` on `data_dir`'s warehouse: the run results."""
    env = {**os.environ, "U2C_DATA_DIR": str(data_dir)}
    target = data_dir / "dbt" / "target"
    subprocess.run(
        [
            str(DBT), "test", "--select", *select,
            "--project-dir", str(DBT_PROJECT), "--profiles-dir", str(DBT_PROJECT),
            "--target-path", str(target), "--log-path", str(data_dir / "dbt" / "logs"),
        ],
        cwd=DBT_PROJECT, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    return json.loads((target / "run_results.json").read_text())["results"]


SMALL = {"customers": 10, "days": 62, "events_per_day": 300}


def dbt_build(out: Path, *args: str, project: Path = DBT_PROJECT) -> Path:
    """`dbt build` (with `args`) of `project` on the data dir `out` (its lake landed); assert it
    passed."""
    env = {**os.environ, "U2C_DATA_DIR": str(out)}
    built = subprocess.run(
        [
            str(DBT), "build", *args,
            # the unit tests run once, in test_dbt_unit_tests.py
            "--exclude-resource-type", "unit_test",
            "--project-dir", str(project), "--profiles-dir", str(project),
            "--target-path", str(out / "dbt" / "target"), "--log-path", str(out / "dbt" / "logs"),
        ],
        cwd=project, env=env, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert built.returncode == 0, built.stdout[-5000:] + built.stderr[-3000:]
    return out


def build_world(out: Path, clean: bool) -> Path:
    """Generate, land, build; export the ERP journals, then rebuild what confirms the export
    against the ERP extract (rec_exports_erp, rec_summary), as a close does."""
    generate(GenerateOptions(out=out, clean=clean, **SMALL))
    land_inbox(out / "inbox", out / "lake", CONTRACTS)
    dbt_build(out)
    export_journals(
        out / "warehouse.duckdb",
        out / "exports",
        ledger_mirror=out / "lake" / "_ledger" / "export_ledger",
    )
    dbt_build(out, "--select", "tag:export_confirmation")
    return out


@pytest.fixture(scope="session")
def clean_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_world(tmp_path_factory.mktemp("clean_world"), clean=True)


@pytest.fixture(scope="session")
def default_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_world(tmp_path_factory.mktemp("default_world"), clean=False)
