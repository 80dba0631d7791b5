"""Run a dbt model's compiled SQL on generated inputs, in an in-memory DuckDB.

`compile_models` runs `dbt compile` once for the given models (into a temp target: nothing is
built); the compiled SQL reads its refs as `"warehouse"."<schema>"."<table>"`. `run_model`
creates exactly those tables in an in-memory database attached as `warehouse`, fills them with
the given rows and returns the model's output: the model's own logic on inputs of the test's
choosing, in milliseconds, so a property test can run it hundreds of times.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb

DBT = Path(sys.executable).parent / "dbt"
DBT_PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"

Tables = dict[str, tuple[dict[str, str], list[tuple]]]  # "schema.table" -> (columns, rows)


def compile_models(models: list[str], data_dir: Path) -> dict[str, str]:
    """The compiled SQL of each model (dbt compile; the warehouse file is only opened)."""
    target = data_dir / "target"
    env = {**os.environ, "U2C_DATA_DIR": str(data_dir)}
    env.pop("DBT_TARGET_PATH", None)
    done = subprocess.run(
        [
            str(DBT), "compile", "--select", *models,
            "--project-dir", str(DBT_PROJECT), "--profiles-dir", str(DBT_PROJECT),
            "--target-path", str(target), "--log-path", str(data_dir / "logs"),
        ],
        cwd=DBT_PROJECT, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    compiled = {}
    for model in models:
        [path] = list((target / "compiled").rglob(f"models/**/{model}.sql"))
        compiled[model] = path.read_text()
    return compiled


def run_model(sql: str, tables: Tables) -> list[dict]:
    with duckdb.connect() as con:
        con.execute("attach ':memory:' as warehouse")
        for qualified, (columns, rows) in tables.items():
            schema, name = qualified.split(".")
            con.execute(f"create schema if not exists warehouse.{schema}")
            ddl = ", ".join(f"{column} {kind}" for column, kind in columns.items())
            con.execute(f"create table warehouse.{schema}.{name} ({ddl})")
            if rows:
                marks = ", ".join("?" for _ in columns)
                con.executemany(f"insert into warehouse.{schema}.{name} values ({marks})", rows)
        cursor = con.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
