"""`u2c`: generate a demo world, run the pipeline, show what it did."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from pathlib import Path

from orchestration.settings import Settings


def _cmd_generate(args: argparse.Namespace) -> int:
    from sources.demo.generate import GenerateOptions, generate

    out = Path(args.out) if args.out else Settings.from_env().data_dir
    written = generate(
        GenerateOptions(
            out=out,
            seed=args.seed,
            days=args.days,
            customers=args.customers,
            events_per_day=args.events_per_day,
            start=args.start,
            clean=args.clean,
        )
    )
    print(f"wrote {len(written)} files under {out / 'inbox'}")
    return 0


def _cmd_land(args: argparse.Namespace) -> int:
    """Land the inbox only (no warehouse build): a quick check of new extracts, and its speed."""
    import time
    from collections import Counter

    from sources.landing import land_inbox
    from sources.registry import CONTRACTS

    settings = Settings.from_env()
    settings.apply()
    started = time.perf_counter()
    results = land_inbox(settings.inbox, settings.lake, CONTRACTS)
    seconds = time.perf_counter() - started
    read, landed, quarantined = Counter(), Counter(), Counter()
    for r in results:
        read[r.system] += r.rows_read
        landed[r.system] += r.rows_landed
        quarantined[r.system] += r.rows_quarantined
    for system in sorted(read):
        print(
            f"{system}: {read[system]} read, {landed[system]} landed, "
            f"{quarantined[system]} quarantined"
        )
    total = sum(read.values())
    skipped = sum(r.skipped for r in results)
    print(
        f"{total} rows from {len(results) - skipped} new files ({skipped} already landed) "
        f"in {seconds:.1f} s: {total / seconds if seconds else 0:,.0f} rows/s"
    )
    return 0


def _cmd_check_lake(args: argparse.Namespace) -> int:
    """Every landed file against the ledger; exit 1 when one is damaged."""
    from sources.lake_check import check_lake
    from sources.registry import CONTRACTS

    problems = check_lake(Settings.from_env().lake, CONTRACTS, deep=args.deep)
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem(s) in the lake" if problems else "lake matches its ledger")
    return 1 if problems else 0


def _cmd_reland(args: argparse.Namespace) -> int:
    """Land damaged batches again from their inbox files."""
    from sources.lake_check import CannotReland, reland
    from sources.registry import CONTRACTS

    settings = Settings.from_env()
    failed = 0
    for batch_id in args.batch:
        try:
            result = reland(batch_id, settings.inbox, settings.lake, CONTRACTS)
        except CannotReland as error:
            print(f"cannot re-land {batch_id}: {error}", file=sys.stderr)
            failed += 1
            continue
        print(
            f"re-landed {batch_id} from {result.file_name}: {result.rows_read} read, "
            f"{result.rows_landed} landed, {result.rows_quarantined} quarantined"
        )
    return 1 if failed else 0


def _cmd_bench(args: argparse.Namespace) -> int:
    from orchestration.bench import format_report, run_bench

    data_dir = Path(args.out) if args.out else Settings.from_env().data_dir / "bench-world"
    report = run_bench(args.events, data_dir, days=args.days)
    print(format_report(report))
    print(f"report: {report['report_file']}")
    return 0


def run_pipeline(settings: Settings) -> list:
    """Land, build the usage days and billing periods the data covers, export and publish: one
    Dagster run per job, in-process, recorded in the instance under the data dir."""
    from orchestration.runner import ready
    from orchestration.runner import run_pipeline as run_jobs

    ready(settings)
    return run_jobs(settings)


def _cmd_run(args: argparse.Namespace) -> int:
    if args.job:
        return _run_one_job(args)
    results = run_pipeline(Settings.from_env())
    _print_summary(Settings.from_env(), results)
    return 0 if results and all(r.success for r in results) else 1


def _run_one_job(args: argparse.Namespace) -> int:
    """One run of one job over a partition range: a backfill (dbt runs once for the range)."""
    from orchestration.jobs import LANDING_JOB

    if (args.first is None) != (args.last is None) or (
        args.job != LANDING_JOB and args.first is None
    ):
        print(
            f"u2c run --job {args.job}: give both --from and --to (partition keys)", file=sys.stderr
        )
        return 2
    from orchestration.runner import execute, ready

    settings = Settings.from_env()
    ready(settings)
    key_range = (args.first, args.last) if args.first else None
    result = execute(args.job, key_range=key_range)
    _print_summary(settings, [result])
    return 0 if result.success else 1


def _cmd_demo(args: argparse.Namespace) -> int:
    os.environ.setdefault("U2C_DATA_DIR", "data")
    settings = Settings.from_env()
    args.out = str(settings.data_dir)
    _cmd_generate(args)
    results = run_pipeline(settings)
    _print_summary(settings, results)
    return 0 if results and all(r.success for r in results) else 1


def _cmd_replay(args: argparse.Namespace) -> int:
    from orchestration.replay import replay
    from orchestration.runner import partition_bounds

    first_day, last_day = partition_bounds()
    if not first_day <= args.first <= args.last <= last_day:
        print(
            f"replay: need {first_day} <= --from <= --to <= {last_day} (the usage day partitions; "
            "U2C_PARTITIONS_START sets the first)",
            file=sys.stderr,
        )
        return 2
    report = replay(Settings.from_env(), args.first, args.last)
    print()
    for run in report.runs:
        print(
            f"replay run {run['run_id']} ({run['job']}): "
            + ("succeeded" if run["success"] else "FAILED")
        )
    differing = [m for m in report.marts if not m.identical]
    print(
        f"marts: {len(report.marts) - len(differing)} of {len(report.marts)} tables identical "
        "to the live warehouse"
    )
    for m in differing:
        print(
            f"  DIFFERS {m.table}: {m.only_in_reference} rows only live, "
            f"{m.only_in_rebuild} only in the rebuild"
        )
    batches = sorted({f.export_batch_id for f in report.files})
    same = sum(f.identical for f in report.files)
    print(
        f"ERP files: {same} of {len(report.files)} re-derived byte for byte "
        f"from {len(batches)} published batches"
    )
    for f in report.files:
        if not f.identical:
            print(f"  DIFFERS {f.export_batch_id}/{f.file}")
    print(f"nothing written to the live exports; report: {report.scratch / 'replay_report.json'}")
    return 0 if report.identical else 1


def _print_summary(settings: Settings, results: list) -> None:
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
    failed = [e for e in dbt_tests if not e.passed]
    print(f"dbt tests: {len(dbt_tests) - len(failed)} passed, {len(failed)} failed")
    for e in failed:
        print(f"  FAILED {e.check_name} on {e.asset_key.to_user_string()}")
    for e in gates:
        status = "passed" if e.passed else "FAILED"
        print(f"quality gate {e.check_name} on {e.asset_key.to_user_string()}: {status}")
    for e in warnings:
        print(f"{'WARNING' if not e.passed else 'ok'} {e.check_name}: {e.description}")
    for manifest in sorted(settings.exports.glob("*/*/manifest.json")):
        doc = json.loads(manifest.read_text())
        files = ", ".join(f"{f['file']} ({f['rows']} rows)" for f in doc["files"])
        print(f"export {doc['export_id']}: {files} in {manifest.parent}")
    for report in sorted(settings.exports.glob("close/*/close_report.json")):
        doc = json.loads(report.read_text())
        print(
            f"close report {doc['period']}: {doc['open_reconciliation_items']} open "
            f"reconciliation items, {doc['journals_needing_review']} journals to review: {report}"
        )
    print(f"analysts' DuckDB file (read-only copy): {settings.published_marts}")
    if settings.published_marts.exists():
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
        for mart in (
            "rec_usage_billing",
            "rec_billing_erp",
            "rec_payments_cash",
            "rec_adjustments_erp",
        ):
            if mart not in tables:
                continue
            counts = con.execute(
                f"select status, count(*) from {mart} group by status order by status"
            ).fetchall()
            flagged = ", ".join(f"{n} {status}" for status, n in counts if status != "matched")
            matched = sum(n for status, n in counts if status == "matched")
            lines.append(f"{mart}: {matched} matched" + (f", {flagged}" if flagged else ""))
        if "unmapped_records" in tables:
            n = con.execute("select count(*) from unmapped_records").fetchone()[0]
            lines.append(f"found: {n} records the identity map cannot link")
    return lines


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="u2c", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def world_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--seed", type=int, default=7)
        p.add_argument("--days", type=int, default=75)
        p.add_argument("--customers", type=int, default=40)
        p.add_argument("--events-per-day", type=int, default=2_000)
        p.add_argument(
            "--start",
            type=date.fromisoformat,
            default=date(2026, 8, 1),
            help="first day of usage, YYYY-MM-DD (default 2026-08-01)",
        )
        p.add_argument(
            "--clean",
            action="store_true",
            help="no injected discrepancies (empty answer key)",
        )

    gen = sub.add_parser("generate", help="write a deterministic demo inbox")
    gen.add_argument("--out", help="data dir to write inbox/ under (default $U2C_DATA_DIR)")
    world_options(gen)
    gen.set_defaults(func=_cmd_generate)

    bench = sub.add_parser("bench", help="time the pipeline per stage against a DuckDB floor")
    bench.add_argument("--events", type=int, default=1_000_000)
    bench.add_argument("--days", type=int, default=45)
    bench.add_argument(
        "--out", help="data dir for the bench world (default $U2C_DATA_DIR/bench-world)"
    )
    bench.set_defaults(func=_cmd_bench)

    land = sub.add_parser("land", help="land the inbox only, and report rows/s")
    land.set_defaults(func=_cmd_land)

    run = sub.add_parser(
        "run",
        help="land, build the usage days and billing periods the lake covers, close them; or "
        "one job over a partition range (a backfill)",
    )
    run.add_argument(
        "--job",
        choices=["land_inbox", "refresh_usage", "refresh_periods", "close_period"],
        help="run this job only, once, over --from..--to",
    )
    run.add_argument(
        "--from", dest="first", help="first partition: YYYY-MM-DD (days) or YYYY-MM-01 (months)"
    )
    run.add_argument("--to", dest="last", help="last partition, inclusive")
    run.set_defaults(func=_cmd_run)

    check = sub.add_parser("check-lake", help="check every landed file against the ledger")
    check.add_argument("--deep", action="store_true", help="read every page (checksums too)")
    check.set_defaults(func=_cmd_check_lake)

    again = sub.add_parser("reland", help="land damaged batches again from their inbox files")
    again.add_argument("batch", nargs="+", help="batch id(s), as check-lake names them")
    again.set_defaults(func=_cmd_reland)

    replay = sub.add_parser(
        "replay",
        help="rebuild the marts from the raw lake in a scratch dir, re-derive the ERP files of "
        "those periods, and compare both with what is live",
    )
    replay.add_argument("--from", dest="first", type=date.fromisoformat, required=True)
    replay.add_argument("--to", dest="last", type=date.fromisoformat, required=True)
    replay.set_defaults(func=_cmd_replay)

    demo = sub.add_parser("demo", help="generate a demo world into ./data and run the pipeline")
    world_options(demo)
    demo.set_defaults(func=_cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
