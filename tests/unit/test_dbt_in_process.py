"""When a manifest dbt parsed in this process may be handed to the next dbt step
(orchestration.dbt_in_process): the project's files and the environment variables the parse read
are unchanged; the partition window, read only when dbt runs the models, may change."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from orchestration import dbt_in_process
from orchestration.partitions import WINDOW_ENV, dbt_window_env


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "a.sql").write_text("select 1 as a\n")
    (tmp_path / "dbt_project.yml").write_text("name: p\n")
    return tmp_path


@pytest.fixture
def kept(project: Path, monkeypatch: pytest.MonkeyPatch):
    """A manifest that read U2C_DATA_DIR and the usage window when parsed, kept for `project`."""
    monkeypatch.setenv("U2C_DATA_DIR", "/data/a")
    monkeypatch.setenv("U2C_USAGE_WINDOW_START", "2026-08-01")
    manifest = SimpleNamespace(
        env_vars={"U2C_DATA_DIR": "/data/a", "U2C_USAGE_WINDOW_START": "2026-08-01"}, nodes={}
    )
    dbt_in_process.forget()
    dbt_in_process.remember(project, manifest, dbt_in_process.project_files_digest(project))
    yield manifest
    dbt_in_process.forget()


def test_an_unchanged_project_and_environment_reuse_the_parse(project: Path, kept) -> None:
    assert dbt_in_process.reusable(project) is kept


def test_another_window_reuses_the_parse(project: Path, kept, monkeypatch) -> None:
    from datetime import datetime

    from dagster import TimeWindow

    window = TimeWindow(datetime(2026, 9, 1), datetime(2026, 9, 2))
    for name, value in dbt_window_env("usage", window).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("U2C_PERIOD_WINDOW_START", "2026-09-01")
    assert dbt_in_process.reusable(project) is kept


def test_another_data_dir_parses_again(project: Path, kept, monkeypatch) -> None:
    monkeypatch.setenv("U2C_DATA_DIR", "/data/b")
    assert dbt_in_process.reusable(project) is None


def test_an_unset_variable_the_parse_read_parses_again(project: Path, kept, monkeypatch) -> None:
    monkeypatch.delenv("U2C_DATA_DIR")
    assert dbt_in_process.reusable(project) is None


def test_a_changed_project_file_parses_again(project: Path, kept) -> None:
    model = project / "models" / "a.sql"
    later = model.stat().st_mtime + 5
    model.write_text("select 2 as a\n")
    os.utime(model, (later, later))
    assert dbt_in_process.reusable(project) is None


def test_a_new_project_file_parses_again(project: Path, kept) -> None:
    new = project / "models" / "b.sql"
    new.write_text("select 1 as b\n")
    assert dbt_in_process.reusable(project) is None


def test_another_project_has_nothing_kept(tmp_path: Path, project: Path, kept) -> None:
    other = tmp_path / "other"
    other.mkdir()
    assert dbt_in_process.reusable(other) is None


class Seed:
    """As dbt's SeedNode: never compiled, its compile fields read-only."""

    @property
    def extra_ctes_injected(self) -> bool:
        return False


def test_a_reused_manifest_is_handed_over_uncompiled(project: Path, kept) -> None:
    # what an earlier invocation's compile leaves on a node that reads an ephemeral model
    kept.nodes["model.p.a"] = SimpleNamespace(
        compiled=True,
        compiled_code="with __dbt__cte__e as (select 1) select * from __dbt__cte__e",
        extra_ctes_injected=True,
        extra_ctes=[SimpleNamespace(id="model.p.e", sql="__dbt__cte__e as (select 1)")],
    )
    kept.nodes["seed.p.s"] = Seed()
    node = dbt_in_process.reusable(project).nodes["model.p.a"]
    assert (node.compiled, node.compiled_code) == (False, None)
    assert (node.extra_ctes_injected, node.extra_ctes) == (False, [])
    assert kept.nodes["seed.p.s"].extra_ctes_injected is False


def test_the_window_names_are_the_ones_the_steps_set() -> None:
    from datetime import datetime

    from dagster import TimeWindow

    window = TimeWindow(datetime(2026, 9, 1), datetime(2026, 10, 1))
    set_by_steps = {name for kind in ("usage", "period") for name in dbt_window_env(kind, window)}
    assert set_by_steps == set(WINDOW_ENV)


def test_prepare_parses_again_when_a_file_changed_though_it_looks_older(tmp_path: Path) -> None:
    """The manifest the Dagster definitions load is parsed again when the project's content
    differs from what it was parsed from, whatever the files' mtimes say: a new release whose
    files are older than the manifest the previous one parsed (it once failed the run with a
    KeyError on a test node dbt knew and Dagster did not)."""
    import json

    from dagster_dbt import DbtProject

    from orchestration.dbt_project import prepare

    project = tmp_path / "project"
    (project / "models").mkdir(parents=True)
    (project / "models" / "a.sql").write_text("select 1 as a\n")
    (project / "dbt_project.yml").write_text(
        "name: p\nversion: '1.0.0'\nconfig-version: 2\nprofile: p\n"
    )
    (project / "profiles.yml").write_text(
        "p:\n  target: t\n  outputs:\n    t:\n      type: duckdb\n"
        f"      path: {tmp_path / 'warehouse.duckdb'}\n"
    )
    dbt = DbtProject(project_dir=project, profiles_dir=project, target_path=tmp_path / "target")
    assert prepare(dbt) and not prepare(dbt)
    manifest = Path(dbt.manifest_path)
    older = manifest.stat().st_mtime - 3600
    added = project / "models" / "b.sql"
    added.write_text("select 2 as b\n")
    os.utime(added, (older, older))
    assert prepare(dbt)
    assert {"model.p.a", "model.p.b"} <= set(json.loads(manifest.read_text())["nodes"])
    os.utime(project / "models" / "a.sql")  # touched, the same content: nothing to parse
    assert not prepare(dbt)
