"""dbt steps run in the u2c process (orchestration.dbt_in_process through the `dbt` resource): the
project is parsed once per process, not once per step; another data dir is parsed again and built
there; the warehouse is free for this process's own connections after each step; dbt's errors
reach dagster-dbt as from a dbt subprocess."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from demo_world.generate import GenerateOptions, generate
from orchestration import dbt_in_process
from orchestration.dbt_project import DbtCli, make_dbt_project
from sources.landing import land_inbox
from sources.registry import CONTRACTS

VIEW = "stg_billing__customers"
# events dbt logs whenever it loads a project (a full or a partial parse, even one that finds
# nothing changed)
PARSE_EVENTS = {"StateCheckVarsHash", "PartialParsingEnabled", "PartialParsingSkipParsing"}
PARTIAL_PARSE = "partial_parse.msgpack"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny landed world and its first dbt step (which parses): one per module."""
    data_dir = tmp_path_factory.mktemp("in_process") / "a"
    generate(GenerateOptions(out=data_dir, customers=2, days=3, events_per_day=20))
    land_inbox(data_dir / "inbox", data_dir / "lake", CONTRACTS)
    with pytest.MonkeyPatch.context() as patch:
        use(data_dir, patch)
        dbt_in_process.forget()
        step(data_dir, "first")
        yield data_dir
    dbt_in_process.forget()


@pytest.fixture
def in_world(world: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    use(world, monkeypatch)
    return world


def use(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("U2C_DATA_DIR", str(data_dir))
    monkeypatch.setenv("DBT_TARGET_PATH", str(data_dir / "dbt" / "target"))


def step(data_dir: Path, name: str, *args: str, raise_on_error: bool = True):
    """One dbt step as the assets run it: the resource's `cli`, consumed to the end."""
    dbt = DbtCli(project_dir=make_dbt_project())
    invocation = dbt.cli(
        [*args] or ["build", "--select", VIEW],
        target_path=data_dir / "dbt" / "target" / name,
        raise_on_error=raise_on_error,
    )
    return invocation.wait() if raise_on_error else invocation


def logged_events(target: Path) -> set[str]:
    lines = (target / "dbt.log").read_text().splitlines()
    return {json.loads(line)["info"]["name"] for line in lines if line.startswith("{")}


def built(target: Path) -> dict[str, str]:
    results = json.loads((target / "run_results.json").read_text())["results"]
    return {r["unique_id"]: r["status"] for r in results}


def test_the_second_step_of_a_process_does_not_parse_again(in_world: Path) -> None:
    second = step(in_world, "second")
    assert PARSE_EVENTS & logged_events(in_world / "dbt" / "target" / "first")
    assert not PARSE_EVENTS & logged_events(second.target_path)
    results = built(second.target_path)
    assert results.pop(f"model.usage_to_cash.{VIEW}") == "success"
    assert results and set(results.values()) == {"pass"}  # the view's own dbt tests


def test_the_warehouse_is_free_for_this_process_after_a_step(in_world: Path) -> None:
    with duckdb.connect(str(in_world / "warehouse.duckdb"), read_only=True) as con:
        (rows,) = con.execute(f"select count(*) from staging.{VIEW}").fetchone()
    assert rows > 0


def test_a_failing_step_reports_dbts_error_and_frees_the_warehouse(in_world: Path) -> None:
    failed = step(in_world, "failed", "run-operation", "no_such_macro", raise_on_error=False)
    error = failed.get_error()
    assert failed.process.returncode not in (0, None)
    assert error is not None and "no_such_macro" in str(error)
    with duckdb.connect(str(in_world / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute(f"select count(*) from staging.{VIEW}").fetchone()[0] > 0


def test_another_data_dir_is_parsed_again_and_built_there(
    world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "b"
    shutil.copytree(world / "lake", other / "lake")
    # from the first world's parse, as a data dir's own `dbt parse` would leave it
    (other / "dbt" / "target").mkdir(parents=True)
    shutil.copy(world / "dbt" / "target" / "first" / PARTIAL_PARSE, other / "dbt" / "target")
    use(other, monkeypatch)
    second = step(other, "second")
    assert PARSE_EVENTS & logged_events(second.target_path)
    with duckdb.connect(str(other / "warehouse.duckdb"), read_only=True) as con:
        (sql,) = con.execute(
            "select sql from duckdb_views() where view_name = ?", [VIEW]
        ).fetchone()
    assert str(other / "lake") in sql
    assert str(world / "lake") not in sql
