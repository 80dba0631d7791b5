"""dbt on Spark (issue 20): the spark-check on a tiny world (6 customers, 62 days: every
reconciliation mart has rows) builds the whole project on Spark and finds every compared table
identical to DuckDB's. `make spark-check` runs the demo world; this is its CI size (Spark runs
the models and seeds here, not the data tests: those run on DuckDB in the rest of the suite)."""

from __future__ import annotations

from pathlib import Path

import pytest

from demo_world.generate import GenerateOptions
from orchestration.spark_check import ALSO_COMPARED, report, run_check

TINY = {"customers": 6, "days": 62, "events_per_day": 20}
SPARK_MODELS_AND_SEEDS = (
    "build", "--exclude-resource-type", "unit_test", "--exclude-resource-type", "test",
)  # fmt: skip

pytestmark = pytest.mark.spark

# The exact money arithmetic (128-bit integers on DuckDB) and the meters' JSON / list SQL get
# their Spark implementations in these macro files (branch issue-20spark-b); until each has one,
# Spark cannot build the money and usage models and this test is expected to fail (strict: it
# reports when it starts to pass).
MACROS = Path(__file__).resolve().parents[2] / "dbt_project" / "macros"
AWAITING_SPARK = [
    name
    for name in ("exact_arithmetic.sql", "meters.sql")
    if "spark__" not in (MACROS / name).read_text()
]


@pytest.mark.xfail(
    bool(AWAITING_SPARK), reason=f"no Spark implementation yet in {AWAITING_SPARK}", strict=True
)
def test_spark_builds_the_same_marts_as_duckdb(tmp_path: Path) -> None:
    result = run_check(
        tmp_path,
        GenerateOptions(out=tmp_path, **TINY),
        say=lambda _: None,
        spark_command=SPARK_MODELS_AND_SEEDS,
    )
    lines: list[str] = []
    report(result, say=lines.append)
    shown = "\n".join(lines)
    assert all(run.ok for run in result.runs.values()), shown
    tables = {d.table for d in result.diffs}
    assert set(ALSO_COMPARED) <= tables and len([t for t in tables if t.startswith("rec_")]) >= 7
    assert [d.table for d in result.diffs if d.duckdb_rows == 0] == [], shown
    assert [d.table for d in result.diffs if not d.identical] == [], shown
    assert result.ok
    # Hive's session resources dir is the data dir's (profiles.yml), not a new one in /tmp
    assert (tmp_path / "spark" / "resources").is_dir()
