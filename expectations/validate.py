"""Run a Great Expectations suite from `expectations/suites/` against a dataframe.

Great Expectations cannot run through SQLAlchemy on DuckDB, so callers read the table from
DuckDB into pandas and hand it here. Results are kept as JSON under the data dir per run.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sources.atomic import atomic_write_bytes
from sources.faults import fault_point

if TYPE_CHECKING:
    import pandas as pd

SUITES_DIR = Path(__file__).resolve().parent / "suites"


ROWS_SHOWN = 5  # offending rows named in a description; the metadata keeps up to GX's 20


@dataclass(frozen=True)
class FailedExpectation:
    expectation: str
    column: str | None
    unexpected_count: int | None
    sample: list = field(default_factory=list)
    # the offending rows by their identifying columns (the `row_ids` the suite was run with)
    rows: list[dict] = field(default_factory=list)

    def describe(self) -> str:
        plural = "s" if self.column and "," in self.column else ""
        where = f" on column{plural} {self.column}" if self.column else ""
        count = f": {self.unexpected_count} unexpected rows" if self.unexpected_count else ""
        if self.rows:
            named = "; ".join(describe_row(r) for r in self.rows[:ROWS_SHOWN])
            more = (self.unexpected_count or len(self.rows)) - min(len(self.rows), ROWS_SHOWN)
            return f"{self.expectation}{where}{count}: {named}" + (
                f" and {more} more" if more > 0 else ""
            )
        sample = f", e.g. {self.sample[:ROWS_SHOWN]}" if self.sample else ""
        return f"{self.expectation}{where}{count}{sample}"


def describe_row(row: dict) -> str:
    return "[" + ", ".join(f"{k}={v}" for k, v in row.items()) + "]"


@dataclass(frozen=True)
class SuiteResult:
    suite: str
    success: bool
    evaluated: int
    failed: list[FailedExpectation]
    raw: dict
    rows: int = 0  # rows validated

    def describe(self) -> str:
        if self.success:
            return f"{self.suite}: {self.evaluated} expectations passed"
        failures = "; ".join(f.describe() for f in self.failed)
        return (
            f"{self.suite}: {len(self.failed)} of {self.evaluated} expectations failed: {failures}"
        )


def load_suite_definition(name: str) -> dict:
    return json.loads((SUITES_DIR / f"{name}.json").read_text())


def validate_dataframe(
    suite_name: str,
    frame: pd.DataFrame,
    parameters: dict | None = None,
    row_ids: Sequence[str] = (),
) -> SuiteResult:
    """Validate `frame` against the suite. `row_ids` name the columns that identify a row: a
    failed expectation then lists its offending rows by them (GX's unexpected index list)."""
    import great_expectations as gx  # slow import: only when a check runs
    from great_expectations.data_context.types.base import ProgressBarsConfig

    definition = load_suite_definition(suite_name)
    context = gx.get_context(mode="ephemeral")
    # GX's metric progress bars would flood the run log
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    suite = context.suites.add(gx.ExpectationSuite(**definition))
    if len(suite.expectations) != len(definition["expectations"]):
        # GX logs and skips an invalid expectation; a gate that silently shrinks is no gate.
        raise ValueError(f"suite {suite_name} has an invalid expectation; see the log")
    batch = (
        context.data_sources.add_pandas(f"{suite_name}_source")
        .add_dataframe_asset(suite_name)
        .add_batch_definition_whole_dataframe("whole")
        .get_batch(batch_parameters={"dataframe": frame})
    )
    result_format: dict = {"result_format": "SUMMARY"}
    if row_ids:
        result_format["unexpected_index_column_names"] = list(row_ids)
    outcome = batch.validate(
        suite, result_format=result_format, expectation_parameters=parameters or {}
    ).to_json_dict()
    failed = [
        FailedExpectation(
            expectation=r["expectation_config"]["type"],
            column=_columns(r["expectation_config"]["kwargs"]),
            unexpected_count=(r.get("result") or {}).get("unexpected_count"),
            sample=list((r.get("result") or {}).get("partial_unexpected_list") or []),
            rows=_offending_rows(r, row_ids),
        )
        for r in outcome["results"]
        if not r["success"]
    ]
    return SuiteResult(
        suite_name,
        bool(outcome["success"]),
        len(outcome["results"]),
        failed,
        outcome,
        rows=len(frame),
    )


def _offending_rows(result: dict, row_ids: Sequence[str]) -> list[dict]:
    """The rows GX reports as unexpected, by their ids, with the value of a single checked
    column (a pair's values are better read from the ids the caller chose)."""
    checked = result["expectation_config"]["kwargs"].get("column")
    keys = [*row_ids, *([checked] if checked and checked not in row_ids else [])]
    listed = (result.get("result") or {}).get("partial_unexpected_index_list") or []
    return [{k: row.get(k) for k in keys} for row in listed if isinstance(row, dict)]


def _columns(kwargs: dict) -> str | None:
    names = [kwargs["column"]] if kwargs.get("column") else []
    names += [kwargs[k] for k in ("column_A", "column_B") if kwargs.get(k)]
    names += list(kwargs.get("column_list") or [])
    return ",".join(names) or None


def save_result(result: SuiteResult, results_dir: Path, run_id: str) -> Path:
    target = results_dir / run_id / f"{result.suite}.json"
    # temp + rename: Data Docs read every run's results, a killed run must not leave half a file
    payload = json.dumps(result.raw, indent=2, sort_keys=True, default=str)
    atomic_write_bytes(target, payload.encode())
    fault_point(f"gate.{result.suite}.saved")
    return target


def saved_outcomes(results_dir: Path, run_id: str, suites: Sequence[str]) -> dict[str, dict]:
    """What `save_result` kept for these suites in a run: success and expectation count per
    suite (no run id in it, so a record of it is the same for the same data)."""
    outcomes = {}
    for suite in suites:
        path = results_dir / run_id / f"{suite}.json"
        if path.exists():
            raw = json.loads(path.read_text())
            outcomes[suite] = {
                "success": bool(raw.get("success")),
                "expectations": len(raw.get("results", [])),
            }
    return outcomes


def run_outcomes(results_dir: Path, run_id: str) -> dict[str, dict]:
    """Every suite validated in a run: success, expectations evaluated and failed."""
    outcomes = {}
    for path in sorted((results_dir / run_id).glob("*.json")):
        raw = json.loads(path.read_text())
        results = raw.get("results", [])
        outcomes[raw.get("suite_name") or path.stem] = {
            "success": bool(raw.get("success")),
            "expectations": len(results),
            "failed": sum(1 for r in results if not r.get("success")),
        }
    return outcomes


def frame_from_duckdb(warehouse: Path, table: str) -> pd.DataFrame:
    """Read a table through Arrow, so DECIMAL columns arrive as exact Decimals, not floats."""
    from sources.lake_fs import connect_warehouse

    with connect_warehouse(warehouse) as con:
        return con.sql(f"select * from {table}").fetch_arrow_table().to_pandas()
