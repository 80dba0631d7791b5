"""The project's table materialization on DuckDB (`dbt_project/macros/table_replace.sql`): one
`create or replace table` per model. On a one-model dbt project that uses that very macro file:
a rebuild replaces the rows, a build that fails leaves the previous table whole, a view of the
model's name becomes the table, an enforced contract gives the table its declared types and
refuses other columns, and a config it does not implement is refused by name."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from dbt.cli.main import dbtRunner

from orchestration.dbt_in_process import release_warehouse

MACRO = Path(__file__).resolve().parents[2] / "dbt_project" / "macros" / "table_replace.sql"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "models").mkdir()
    (tmp_path / "macros").mkdir()
    shutil.copy(MACRO, tmp_path / "macros")
    (tmp_path / "dbt_project.yml").write_text(
        "name: t\nversion: '1.0'\nconfig-version: 2\nprofile: t\n"
        "models:\n  t:\n    +materialized: table\n"
    )
    (tmp_path / "profiles.yml").write_text(
        "t:\n  target: local\n  outputs:\n    local:\n      type: duckdb\n"
        f"      path: {tmp_path / 'w.duckdb'}\n      threads: 1\n"
    )
    return tmp_path


def build(project: Path, sql: str, config: str = "") -> tuple[bool, str]:
    (project / "models" / "m.sql").write_text(f"{config}\n{sql}\n")
    # its own target and logs: dbt would take DBT_TARGET_PATH from the environment, which the
    # session's data dir sets (Settings.apply), and overwrite that project's manifest.json
    location = ["--project-dir", str(project), "--profiles-dir", str(project)]
    location += ["--target-path", str(project / "target"), "--log-path", str(project / "logs")]
    result = dbtRunner().invoke(["run", *location, "--log-level", "none", "--no-partial-parse"])
    release_warehouse()  # dbt-duckdb keeps the database open in this process
    messages = [r.message or "" for r in (result.result or [])] if result.result else []
    return result.success, f"{result.exception or ''} {' '.join(messages)}"


def rows(project: Path) -> list[tuple]:
    with duckdb.connect(str(project / "w.duckdb"), read_only=True) as con:
        kind = con.execute(
            "select table_type from information_schema.tables where table_name = 'm'"
        ).fetchone()
        return [kind[0], *con.execute("select * from m order by 1").fetchall()]


def test_a_rebuild_replaces_the_rows(project: Path) -> None:
    assert build(project, "select 1 as n union all select 2")[0]
    assert rows(project) == ["BASE TABLE", (1,), (2,)]
    assert build(project, "select 3 as n")[0]
    assert rows(project) == ["BASE TABLE", (3,)]


def test_a_failed_build_leaves_the_previous_table_whole(project: Path) -> None:
    assert build(project, "select 1 as n union all select 2")[0]
    ok, said = build(project, "select cast('x' || n as integer) as n from range(3) t(n)")
    assert not ok and "Conversion Error" in said
    assert rows(project) == ["BASE TABLE", (1,), (2,)]


def test_a_view_of_the_name_becomes_the_table(project: Path) -> None:
    assert build(project, "select 7 as n", "{{ config(materialized='view') }}")[0]
    assert rows(project) == ["VIEW", (7,)]
    assert build(project, "select 8 as n")[0]
    assert rows(project) == ["BASE TABLE", (8,)]


def test_a_config_it_does_not_implement_is_refused(project: Path) -> None:
    ok, said = build(project, "select 1 as n", "{{ config(sql_header='set threads = 1') }}")
    assert not ok and "does not implement `sql_header`" in said


def test_an_enforced_contract_declares_the_types_and_refuses_other_columns(project: Path) -> None:
    (project / "models" / "m.yml").write_text(
        "version: 2\nmodels:\n  - name: m\n    config:\n      contract: {enforced: true}\n"
        "    columns:\n      - name: n\n        data_type: decimal(18, 2)\n"
    )
    assert build(project, "select 1.5::decimal(18, 2) as n")[0]
    with duckdb.connect(str(project / "w.duckdb"), read_only=True) as con:
        assert con.execute("select data_type from information_schema.columns where "
                           "table_name = 'm'").fetchall() == [("DECIMAL(18,2)",)]  # fmt: skip
    ok, said = build(project, "select 2::decimal(18, 2) as n, 3 as extra")
    assert not ok and "extra" in said
    assert rows(project) == ["BASE TABLE", (Decimal("1.50"),)]
