"""`u2c spark-check` (make spark-check): the same dbt project on DuckDB and on Spark over one
landed lake, compared row for row.

A demo world (or the size given) is generated and landed once under the data dir. dbt builds it on
the `local` target (DuckDB, <data dir>/warehouse.duckdb), the ERP journals are exported from it
and the export confirmation rebuilt (as a close does, so the export ledger is in the lake); then
dbt builds the whole project on the `spark` target (an in-process Spark in local mode, its tables
as Parquet under <data dir>/spark/warehouse) over the same landed Parquet, export ledger included.
Every reconciliation mart (`rec_*`), `journal_lines`, `usage_daily` and the seeds are then
compared: Spark's table files are read by DuckDB, so both sides' columns carry DuckDB's type
names (Parquet maps Spark's); the columns must match by name and type, and the rows as
multisets (`except all` both ways, decimals exact). Any difference, a table one side lacks or a
failed dbt node fails the check.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from exports.erp_journals import export_journals
from exports.mart_diff import only_in
from orchestration.dbt_project import dbt_target_path, run_dbt
from orchestration.demo_generator import demo_generator
from sources.landing import land_inbox
from sources.registry import CONTRACTS

MARTS = "marts"
# compared besides every rec_* mart
ALSO_COMPARED = ("journal_lines", "usage_daily")
SAMPLE_ROWS = 5


class SparkUnavailable(RuntimeError):
    """Spark cannot run here (no Java, or the `spark` extra is not installed)."""


@dataclass(frozen=True)
class TableDiff:
    table: str
    duckdb_rows: int
    spark_rows: int
    only_duckdb: int = 0  # rows (with multiplicity) Spark lacks
    only_spark: int = 0
    problem: str = ""  # a table one side lacks, or columns that differ
    samples: list[tuple[str, tuple]] = field(default_factory=list)  # (side, row)

    @property
    def identical(self) -> bool:
        return not self.problem and self.only_duckdb == 0 and self.only_spark == 0


@dataclass(frozen=True)
class CheckResult:
    diffs: list[TableDiff]
    runs: dict[str, DbtRun]  # per step: duckdb build, export confirmation, spark build

    @property
    def ok(self) -> bool:
        return (
            bool(self.diffs)
            and all(d.identical for d in self.diffs)
            and all(r.ok for r in self.runs.values())
        )


def require_spark() -> None:
    """Fail clearly when Spark cannot run: it needs Java 17 and the `spark` extra."""
    if shutil.which("java") is None:
        raise SparkUnavailable(
            "java is not on PATH: Spark needs Java 17 (Debian: apt-get install "
            "openjdk-17-jre-headless; `make spark-check` installs it)"
        )
    if (
        importlib.util.find_spec("pyspark") is None
        or importlib.util.find_spec("dbt.adapters.spark") is None
    ):
        raise SparkUnavailable(
            "pyspark / dbt-spark are missing: install the `spark` extra (make install)"
        )


@dataclass(frozen=True)
class DbtRun:
    seconds: float  # wall time of the dbt process
    failures: list[str]  # "<node>: <message>" of each node that errored or failed

    @property
    def ok(self) -> bool:
        return not self.failures


def _reason(message: str) -> str:
    """The engine's own words of a dbt failure message (its first line past dbt's headers)."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    said = [line for line in lines if not line.endswith("Error") and " in model " not in line]
    return (said or lines or ["?"])[0][:300]


def dbt(data_dir: Path, target: str, *args: str) -> DbtRun:
    """`dbt <args>` on `target` over the data dir: its wall time and the nodes that failed
    (read from run_results.json; dbt's output tail when dbt stopped before writing it)."""
    results = dbt_target_path(data_dir, target) / "run_results.json"
    results.unlink(missing_ok=True)
    started = time.monotonic()
    done = run_dbt(data_dir, *args, target=target, timeout=None)
    seconds = time.monotonic() - started
    if not results.exists():
        return DbtRun(
            seconds, [f"dbt {' '.join(args)}: {done.stdout[-3000:]}{done.stderr[-2000:]}"]
        )
    failures = [
        f"{r['unique_id']}: {_reason(r.get('message') or '')}"
        for r in json.loads(results.read_text())["results"]
        if r["status"] in ("error", "fail", "runtime error")
    ]
    if done.returncode != 0 and not failures:
        failures = [f"dbt {' '.join(args)} exited {done.returncode}: {done.stdout[-2000:]}"]
    return DbtRun(seconds, failures)


def spark_table_dir(data_dir: Path, table: str, schema: str = MARTS) -> Path:
    """Where the spark target's warehouse keeps a table's files (spark.sql.warehouse.dir)."""
    return data_dir / "spark" / "warehouse" / f"{schema}.db" / table


def compared_tables(warehouse: Path) -> list[str]:
    """Every rec_* mart, journal_lines, usage_daily, then the seeds (`main.<seed>`: reference data
    each engine loads from the same CSV, what every mart reads)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rec = con.execute(
            "select table_name from duckdb_tables() where schema_name = ? "
            "and starts_with(table_name, 'rec_') order by table_name",
            [MARTS],
        ).fetchall()
        seeds = con.execute(
            "select table_name from duckdb_tables() where schema_name = 'main' order by table_name"
        ).fetchall()
    return [r[0] for r in rec] + list(ALSO_COMPARED) + [f"main.{s[0]}" for s in seeds]


def _columns(con: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str]:
    return {
        name: kind
        for name, kind, *_ in con.execute(f"describe select * from {relation}").fetchall()
    }


def compare(warehouse: Path, data_dir: Path, tables: list[str]) -> list[TableDiff]:
    """Each table (`name`: a mart; `schema.name` another schema's) of the DuckDB warehouse
    against the Spark table's files."""
    diffs = []
    with duckdb.connect() as con:
        con.execute(f"attach '{str(warehouse).replace(chr(39), chr(39) * 2)}' as duck (read_only)")
        for table in tables:
            schema, name = table.split(".") if "." in table else (MARTS, table)
            ref = f'duck."{schema}"."{name}"'
            duck_rows = con.execute(f"select count(*) from {ref}").fetchone()[0]
            files = spark_table_dir(data_dir, name, schema)
            if not files.is_dir():
                diffs.append(TableDiff(table, duck_rows, 0, duck_rows, 0, "not built by Spark"))
                continue
            if not any(files.rglob("*.parquet")):  # Spark writes no file for an empty table
                problem = "" if duck_rows == 0 else "empty on Spark"
                diffs.append(TableDiff(table, duck_rows, 0, duck_rows, 0, problem))
                continue
            spark = (
                f"read_parquet('{str(files).replace(chr(39), chr(39) * 2)}/**/*.parquet', "
                "hive_partitioning = true)"
            )
            spark_rows = con.execute(f"select count(*) from {spark}").fetchone()[0]
            left, right = _columns(con, ref), _columns(con, spark)
            if left != right:
                differing = sorted(
                    f"{c}: {left.get(c, '-')} vs {right.get(c, '-')}"
                    for c in left.keys() | right.keys()
                    if left.get(c) != right.get(c)
                )
                problem = "columns differ (DuckDB vs Spark): " + "; ".join(differing)
                diffs.append(
                    TableDiff(table, duck_rows, spark_rows, duck_rows, spark_rows, problem)
                )
                continue
            # by name, in DuckDB's order (Spark puts partition columns last)
            only = {}
            samples = []
            for side, a, b in (("duckdb", ref, spark), ("spark", spark, ref)):
                query = only_in(a, b, list(left))
                only[side] = con.execute(f"select count(*) from ({query})").fetchone()[0]
                rows = con.execute(f"{query} order by all limit {SAMPLE_ROWS}").fetchall()
                samples += [(side, row) for row in rows]
            diffs.append(
                TableDiff(table, duck_rows, spark_rows, only["duckdb"], only["spark"], "", samples)
            )
    return diffs


def run_check(
    data_dir: Path,
    options=None,
    say: Callable[[str], None] = print,
    spark_command: tuple[str, ...] = ("build", "--exclude-resource-type", "unit_test"),
) -> CheckResult:
    """Generate (`options`: demo_world's GenerateOptions; None: the data dir's inbox is used as
    it is), land, build
    on both engines, compare. `spark_command`: the dbt command on Spark (`build`: models, seeds
    and data tests, as on DuckDB; `run` plus `seed` skips Spark's run of the data tests)."""
    require_spark()
    data_dir = Path(data_dir)
    if options is not None:
        say(f"generating the world into {data_dir}")
        demo_generator()[1](options)
    say("landing the inbox")
    land_inbox(data_dir / "inbox", data_dir / "lake", CONTRACTS)
    runs = {}
    say("dbt build on DuckDB (target local)")
    runs["duckdb build"] = dbt(data_dir, "local", "build", "--exclude-resource-type", "unit_test")
    say("ERP journal export, then the export confirmation on DuckDB")
    export_journals(
        data_dir / "warehouse.duckdb",
        data_dir / "exports",
        ledger_mirror=data_dir / "lake" / "_ledger" / "export_ledger",
    )
    runs["duckdb export confirmation"] = dbt(
        data_dir, "local", "build", "--exclude-resource-type", "unit_test",
        "--select", "tag:export_confirmation",
    )  # fmt: skip
    for step in ("duckdb build", "duckdb export confirmation"):
        if not runs[step].ok:  # the reference itself is broken: nothing to compare with
            raise RuntimeError(f"{step} failed:\n" + "\n".join(runs[step].failures))
    say("dbt build on Spark (target spark)")
    shutil.rmtree(data_dir / "spark", ignore_errors=True)  # a fresh warehouse, as DuckDB's
    runs["spark build"] = dbt(data_dir, "spark", *spark_command)
    warehouse = data_dir / "warehouse.duckdb"
    diffs = compare(warehouse, data_dir, compared_tables(warehouse))
    return CheckResult(diffs, runs)


def report(result: CheckResult, say: Callable[[str], None] = print) -> None:
    for step, run in result.runs.items():
        say(f"{step}: {run.seconds:.1f} s" + ("" if run.ok else f", {len(run.failures)} failed"))
        for failure in run.failures[:20]:
            say(f"  {failure}")
    width = max((len(d.table) for d in result.diffs), default=10)
    say(f"{'table':<{width}}  {'duckdb':>8}  {'spark':>8}  {'only duckdb':>11}  {'only spark':>10}")
    for d in result.diffs:
        status = "identical" if d.identical else "DIFFERS"
        say(
            f"{d.table:<{width}}  {d.duckdb_rows:>8}  {d.spark_rows:>8}  {d.only_duckdb:>11}  "
            f"{d.only_spark:>10}  {status}"
        )
        if d.problem:
            say(f"  {d.problem}")
        for side, row in d.samples:
            say(f"  only in {side}: {row}")
    say("spark-check: " + ("the engines agree" if result.ok else "the engines DIFFER"))
