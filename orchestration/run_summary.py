"""The summary `u2c run` and `u2c demo` print after their runs: what each run did, what the
marts found, the gates, the export files and close reports, and where everything is."""

from __future__ import annotations

import json
from pathlib import Path

from exports.inventory import list_batches
from exports.publish import exports_lake
from orchestration.inspect_marts import REC_MARTS
from orchestration.settings import Settings


def print_summary(settings: Settings, results: list, planned_jobs: list[str] | None = None) -> None:
    """`planned_jobs`: the jobs the command meant to run (default: those that ran), so what a
    job that never started would have published is reported as not published."""
    from dagster import AssetCheckSeverity

    from orchestration.publications import lines as publication_lines
    from orchestration.publications import outcomes

    print()
    for result in results:
        partitions = _partitions(result)
        print(
            f"run {result.run_id} ({result.job_def.name}{partitions}): "
            + ("succeeded" if result.success else "FAILED")
        )
    if settings.published_marts.exists():
        for line in _mart_summary(settings.published_marts):
            print(line)
    evaluations = [e for r in results for e in r.get_asset_check_evaluations()]
    gates = [e for e in evaluations if e.check_name.startswith("gx_")]
    warnings = [e for e in evaluations if e.check_name.endswith("_open_variances")]
    dbt_tests = [e for e in evaluations if e not in gates and e not in warnings]
    failed = [e for e in dbt_tests if not e.passed and e.severity == AssetCheckSeverity.ERROR]
    warned = [e for e in dbt_tests if not e.passed and e.severity != AssetCheckSeverity.ERROR]
    if dbt_tests:
        print(
            f"dbt tests: {len(dbt_tests) - len(failed) - len(warned)} passed, "
            f"{len(warned)} warned, {len(failed)} failed"
        )
    for e in failed:
        print(f"  FAILED {e.check_name} on {e.asset_key.to_user_string()}")
    for e in warned:
        print(f"  warning {e.check_name} on {e.asset_key.to_user_string()} (see unmapped_records)")
    for e in gates:
        if e.passed:
            status = "passed"
        elif e.severity != AssetCheckSeverity.ERROR:
            status = f"WARNING: {e.description}"
        else:
            status = "FAILED"
        print(f"quality gate {e.check_name} on {e.asset_key.to_user_string()}: {status}")
    for e in warnings:
        print(f"{'WARNING' if not e.passed else 'ok'} {e.check_name}: {e.description}")
    exports = exports_lake(settings.exports_uri)
    for batch in sorted(list_batches(exports), key=lambda b: str(b.directory)):
        doc = batch.manifest
        rows = sum(f["rows"] for f in doc["files"])
        print(
            f"export {doc['export_id']}: {len(doc['files'])} files, {rows} rows in "
            f"{batch.directory} (u2c exports show {doc['export_id']})"
        )
    close = exports.uri("close")
    for report in exports.files(close, "*/close_report.json"):
        doc = json.loads(exports.read_bytes(report))
        page = report.removesuffix(".json") + ".html"
        print(
            f"close report {doc['period']}: {doc['open_reconciliation_items']} open "
            f"reconciliation items, {doc['journals_needing_review']} journals to review: "
            f"{page if exports.exists(page) else report}"
        )
    index = exports.uri("close", "index.html")
    if exports.exists(index):
        print(f"close report pages (open in a browser): {index}")
    found = outcomes(results, planned_jobs or [r.job_def.name for r in results])
    for line in publication_lines(found):
        print(line)
    if settings.published_marts.exists():
        fresh = any(o.published and o.label.startswith("analysts'") for o in found)
        print(
            f"analysts' DuckDB file (read-only copy): {settings.published_marts}"
            + ("" if fresh else " (from an earlier run: not updated by this one)")
        )
        for result in results:
            for line in _run_summary(settings.published_marts, result.run_id):
                print(line)
    docs = settings.gx_dir / "data_docs" / "index.html"
    if docs.exists():
        print(f"Great Expectations Data Docs: {docs}")
    print(f"Dagster run history: DAGSTER_HOME={settings.dagster_home} (make ui)")


def _partitions(result) -> str:
    from orchestration.runner import RANGE_END, RANGE_START

    tags = result.dagster_run.tags
    if RANGE_START in tags:
        return f" {tags[RANGE_START]}..{tags[RANGE_END]}"
    return ""


def _run_summary(published: Path, run_id: str) -> list[str]:
    """This run's ops_runs row: seconds and rows per stage."""
    import duckdb

    with duckdb.connect(str(published), read_only=True) as con:
        tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
        if "ops_runs" not in tables:
            return []
        found = con.execute(
            "select landing_seconds, landing_rows, dbt_seconds, dbt_rows, checks_seconds,"
            " checks_rows, exports_seconds, exports_rows, publish_seconds, publish_rows"
            " from ops_runs where run_id = ?",
            [run_id],
        ).fetchone()
    if found is None:
        return []
    stages = ("landing", "dbt", "checks", "exports", "publish")
    parts = [
        f"{stage} {seconds:.1f} s" + (f" ({rows} rows)" if rows is not None else "")
        for stage, seconds, rows in zip(stages, found[::2], found[1::2], strict=True)
        if seconds is not None
    ]
    return [f"ops_runs, run {run_id[:8]}: " + ", ".join(parts)]


def _mart_summary(published: Path) -> list[str]:
    import duckdb

    lines = []
    with duckdb.connect(str(published), read_only=True) as con:
        for system, files, landed, quarantined in con.execute(
            "select system, count(*), sum(rows_landed), sum(rows_quarantined) "
            "from ops_landing_batches group by system order by system"
        ).fetchall():
            lines.append(
                f"landed {system}: {landed} rows from {files} files, {quarantined} quarantined"
            )
        for reason, count in con.execute(
            "select reason_code, count(*) from ops_quarantine group by reason_code order by 2 desc"
        ).fetchall():
            lines.append(f"  quarantined as {reason}: {count}")
        tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
        if "ops_usage_duplicates" in tables:
            n = con.execute("select count(*) from ops_usage_duplicates").fetchone()[0]
            lines.append(f"found: {n} usage re-deliveries removed")
        if "usage_by_period" in tables:
            late, unmapped, over = con.execute(
                "select count(*) filter (where late_event_count > 0), "
                "count(*) filter (where not is_mapped), count(*) filter (where is_over_entitlement)"
                " from usage_by_period"
            ).fetchone()
            lines.append(
                f"found: {late} subscription-periods with late usage, {unmapped} with usage for "
                f"an unknown subscription, {over} above entitlement"
            )
        for mart in REC_MARTS:
            if mart not in tables:
                continue
            counts = con.execute(
                f"select status, count(*) from {mart} group by status order by status"
            ).fetchall()
            flagged = ", ".join(f"{n} {status}" for status, n in counts if status != "matched")
            matched = sum(n for status, n in counts if status == "matched")
            lines.append(f"{mart}: {matched} matched" + (f", {flagged}" if flagged else ""))
        if "rec_usage_billing" in tables:
            exposure = con.execute(
                "select currency, sum(unbilled_exposure) from rec_usage_billing"
                " where unbilled_exposure <> 0 group by currency order by currency"
            ).fetchall()
            if exposure:
                amounts = ", ".join(f"{amount.normalize():f} {cur}" for cur, amount in exposure)
                lines.append(f"found: late usage not invoiced worth {amounts} (unbilled exposure)")
        if "journals_held" in tables:
            held = con.execute(
                "select hold_reason, count(*) from journals_held group by all order by all"
            ).fetchall()
            if held:
                reasons = ", ".join(f"{reason}: {n}" for reason, n in held)
                lines.append(
                    f"found: {sum(n for _, n in held)} journals held ({reasons}): they cannot "
                    "post until the CRM and ERP extracts map them (journals_held)"
                )
        if "unmapped_records" in tables:
            n = con.execute("select count(*) from unmapped_records").fetchone()[0]
            lines.append(f"found: {n} records the identity map cannot link")
    return lines
