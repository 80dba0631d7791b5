"""spark-check's comparison: a DuckDB warehouse's marts against Spark's table files (Parquet
under the spark target's warehouse dir), row for row, by column name and type; and its clear
error when Spark cannot run."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration import spark_check
from orchestration.spark_check import compare, compared_tables, spark_table_dir

ROWS = "values ('a', 1::decimal(38, 9) / 3, date '2026-08-01'), ('b', 2.5, date '2026-08-02')"


def _worlds(tmp_path: Path, spark_rows: str = ROWS, spark_types: str = "decimal(38, 9)") -> Path:
    """A DuckDB warehouse with marts.rec_x and marts.usage_daily, and Spark's files of them
    (usage_daily partitioned by usage_date, as the spark target writes it)."""
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
        for table in ("rec_x", "usage_daily", "journal_lines"):
            con.execute(
                f"create table marts.{table} as select col0 as id, cast(col1 as decimal(38, 9)) "
                f"as amount, col2 as usage_date from ({ROWS})"
            )
    with duckdb.connect() as con:
        for table in ("rec_x", "journal_lines"):
            out = spark_table_dir(tmp_path, table)
            out.mkdir(parents=True)
            con.execute(
                f"copy (select col0 as id, cast(col1 as {spark_types}) as amount, "
                f"col2 as usage_date from ({spark_rows})) to '{out}/part-00000.parquet'"
            )
        out = spark_table_dir(tmp_path, "usage_daily")
        out.mkdir(parents=True)
        con.execute(
            f"copy (select col0 as id, cast(col1 as decimal(38, 9)) as amount, col2 as usage_date "
            f"from ({ROWS})) to '{out}' (format parquet, partition_by (usage_date))"
        )
    return warehouse


def test_identical_tables_compare_equal(tmp_path: Path) -> None:
    warehouse = _worlds(tmp_path)
    tables = compared_tables(warehouse)
    assert tables == ["rec_x", "journal_lines", "usage_daily"]  # (no seeds in this warehouse)
    diffs = compare(warehouse, tmp_path, tables)
    assert [(d.table, d.duckdb_rows, d.spark_rows, d.identical) for d in diffs] == [
        ("rec_x", 2, 2, True),
        ("journal_lines", 2, 2, True),
        ("usage_daily", 2, 2, True),  # the partition column read back from the directory names
    ]


def test_a_decimal_off_in_the_last_place_is_a_difference(tmp_path: Path) -> None:
    # 1/3 at scale 9 on DuckDB; Spark's copy one unit in the last place lower
    spark_rows = ROWS.replace("1::decimal(38, 9) / 3", "0.333333332")
    warehouse = _worlds(tmp_path, spark_rows=spark_rows)
    diff = compare(warehouse, tmp_path, ["rec_x"])[0]
    assert (diff.only_duckdb, diff.only_spark, diff.identical) == (1, 1, False)
    assert [(side, row[:2]) for side, row in diff.samples] == [
        ("duckdb", ("a", Decimal("0.333333333"))),
        ("spark", ("a", Decimal("0.333333332"))),
    ]


def test_a_column_of_another_type_is_a_difference(tmp_path: Path) -> None:
    warehouse = _worlds(tmp_path, spark_types="double")
    diff = compare(warehouse, tmp_path, ["rec_x"])[0]
    assert not diff.identical
    assert "amount: DECIMAL(38,9) vs DOUBLE" in diff.problem


def test_a_table_spark_did_not_build_is_a_difference(tmp_path: Path) -> None:
    warehouse = _worlds(tmp_path)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create table marts.rec_missing as select 1 as id")
    diff = compare(warehouse, tmp_path, ["rec_missing"])[0]
    assert (diff.identical, diff.problem, diff.only_duckdb) == (False, "not built by Spark", 1)
    # built, but Spark wrote no file: empty, which is a difference when DuckDB's has rows
    spark_table_dir(tmp_path, "rec_missing").mkdir(parents=True)
    diff = compare(warehouse, tmp_path, ["rec_missing"])[0]
    assert (diff.identical, diff.problem, diff.spark_rows) == (False, "empty on Spark", 0)


def test_a_table_empty_on_both_engines_is_identical(tmp_path: Path) -> None:
    warehouse = _worlds(tmp_path)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create table marts.rec_none as select 1 as id where false")
    spark_table_dir(tmp_path, "rec_none").mkdir(parents=True)  # Spark writes no file for it
    diff = compare(warehouse, tmp_path, ["rec_none"])[0]
    assert (diff.identical, diff.duckdb_rows, diff.spark_rows) == (True, 0, 0)


def test_no_java_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spark_check.shutil, "which", lambda name: None)
    with pytest.raises(spark_check.SparkUnavailable, match="openjdk-17-jre-headless"):
        spark_check.require_spark()


def test_a_seed_null_loaded_as_text_is_a_difference(tmp_path: Path) -> None:
    """The seeds are compared too: dbt-spark's own seed loader wrote an empty CSV field as the
    string 'None' (project macro spark__load_csv_rows writes null)."""
    warehouse = _worlds(tmp_path)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create table main.meters as select 'api_calls' metric, null::varchar path")
    out = spark_table_dir(tmp_path, "meters", "main")
    out.mkdir(parents=True)
    with duckdb.connect() as con:
        con.execute(f"copy (select 'api_calls' as metric, 'None' as path) to '{out}/p.parquet'")
    assert compared_tables(warehouse)[-1] == "main.meters"
    diff = compare(warehouse, tmp_path, ["main.meters"])[0]
    assert (diff.only_duckdb, diff.only_spark) == (1, 1)
    assert ("spark", ("api_calls", "None")) in diff.samples
