"""`u2c`: generate a demo world, run the pipeline, and look at what it found.

Running: generate, land, run, demo, replay, bench, docs, spark-check. Looking: status, exports,
recon, quarantine (a table on the terminal, `--format json|csv` for scripts). A mistake the user
can fix (a missing data dir, an unknown batch or filter) is one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import time
import traceback
from datetime import date
from pathlib import Path

from orchestration.errors import RunFailed, UserError
from orchestration.jobs import CLOSE_JOB, LANDING_JOB, USAGE_JOB
from orchestration.settings import Settings
from orchestration.tables import FORMATS


def _say(message: str) -> None:
    print(f"  {time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


def _require_data_dir(settings: Settings) -> None:
    from orchestration.inspect_marts import require_data_dir

    require_data_dir(settings)


# ---- running -----------------------------------------------------------------------------------


def _cmd_generate(args: argparse.Namespace) -> int:
    from orchestration.console import every_tenth
    from orchestration.demo_generator import demo_generator

    GenerateOptions, generate = demo_generator()

    def progress(message: str, done: int = 0, total: int = 0) -> None:
        if not total or every_tenth(done, total):
            _say(message)

    out = Path(args.out) if args.out else Settings.from_env().data_dir
    started = time.perf_counter()
    _say(f"generating a world of {args.days} days x {args.events_per_day} events into {out}")
    try:
        written = generate(
            GenerateOptions(
                out=out,
                seed=args.seed,
                days=args.days,
                customers=args.customers,
                events_per_day=args.events_per_day,
                start=args.start,
                clean=args.clean,
                gzip=args.gzip,
            ),
            progress=progress,
        )
    except ValueError as error:  # the generator's own check of the options
        raise UserError(f"generate: {error}") from error
    print(
        f"wrote {len(written)} files under {out / 'inbox'} in {time.perf_counter() - started:.1f} s"
    )
    return 0


def _cmd_land(args: argparse.Namespace) -> int:
    """Land the inbox only (no warehouse build): a quick check of new extracts, and its speed."""
    from collections import Counter

    from sources.landing import land_inbox
    from sources.registry import CONTRACTS

    settings = Settings.from_env()
    _require_data_dir(settings)
    settings.apply()

    from orchestration.console import every_tenth

    def on_landed(result, done: int, total: int) -> None:
        if every_tenth(done, total):
            _say(f"{done}/{total} files landed (last {result.system}/{result.file_name})")

    started = time.perf_counter()
    results = land_inbox(
        settings.inbox,
        settings.lake_uri,
        CONTRACTS,
        on_landed=on_landed,
        staging=settings.lake_staging,
    )
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
    if not results:
        print(f"the inbox {settings.inbox} is empty: nothing to land")
    return 0


def _cmd_check_lake(args: argparse.Namespace) -> int:
    """Every landed file against the ledger; exit 1 when one is damaged."""
    from sources.lake_check import check_lake
    from sources.landing_site import LandingSite
    from sources.registry import CONTRACTS

    settings = Settings.from_env()
    lake = LandingSite.of(settings.lake_uri, settings.lake_staging)
    problems = check_lake(lake, CONTRACTS, deep=args.deep)
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem(s) in the lake" if problems else "lake matches its ledger")
    return 1 if problems else 0


def _cmd_reland(args: argparse.Namespace) -> int:
    """Land damaged batches again from their inbox files."""
    from sources.lake_check import CannotReland, reland
    from sources.landing_site import LandingSite
    from sources.registry import CONTRACTS

    settings = Settings.from_env()
    lake = LandingSite.of(settings.lake_uri, settings.lake_staging)
    failed = 0
    for batch_id in args.batch:
        try:
            result = reland(batch_id, settings.inbox, lake, CONTRACTS)
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
    with _quietly(Settings(data_dir.resolve()), args, "benchmarking") as output:
        report = run_bench(args.events, data_dir, days=args.days, gzipped=args.gzip, say=output.say)
    print(format_report(report))
    print(f"report: {report['report_file']}")
    return 0


@contextlib.contextmanager
def _quietly(settings: Settings, args: argparse.Namespace, what: str):
    """Quiet like every long command: progress on the terminal, dbt's and Dagster's output in
    the data dir's log file (`-v` shows it too); the first line says what runs and where the log
    is."""
    from orchestration.console import run_output

    with run_output(settings.logs, args.verbose) as output:
        output.say(f"{what}; full log: {output.log_file}")
        yield output


def _pipeline(
    settings: Settings, args: argparse.Namespace, work, planned_jobs: list[str] | None = None
) -> list:
    """Run `work(run_config, say)` quietly (orchestration/console.py), then print the summary
    (what `planned_jobs` published and did not) and where the full log is."""
    from orchestration.run_summary import print_summary
    from orchestration.runner import ready

    with _quietly(settings, args, f"data dir {settings.data_dir}") as output:
        try:
            ready(settings, output.say)
            results = work(output.loggers(), output.say)
        except Exception as error:
            traceback.print_exc()  # into the log file (or onto the terminal with -v)
            failed = f"{type(error).__name__}: {error}".splitlines()[0]
        else:
            failed = None
    if failed is not None:
        raise RunFailed(f"stopped on an error ({failed}); the traceback is in {output.log_file}")
    print_summary(settings, results, planned_jobs)
    print(f"full log (Dagster events, dbt output): {output.log_file}")
    return results


def _cmd_run(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    _require_data_dir(settings)
    if args.job:
        if (args.first is None) != (args.last is None) or (
            args.job != LANDING_JOB and args.first is None
        ):
            raise UserError(f"u2c run --job {args.job}: give both --from and --to (partition keys)")
        if args.first is not None and args.job != LANDING_JOB:
            _check_range(settings, args.job, args.first, args.last)

        def one_job(run_config: dict, say) -> list:
            from orchestration.runner import execute

            key_range = (args.first, args.last) if args.first else None
            say(f"{args.job}" + (f" {args.first}..{args.last}" if key_range else ""))
            return [execute(args.job, key_range=key_range, run_config=run_config)]

        results = _pipeline(settings, args, one_job)
    else:
        if not settings.inbox.is_dir() or not any(p.is_file() for p in settings.inbox.rglob("*")):
            _say(
                f"the inbox {settings.inbox} is empty: nothing to land "
                "(`u2c generate` writes a demo world there)"
            )
        from orchestration.runner import nothing_new

        # before Dagster and dbt load: a run with nothing new costs a look at file metadata
        if (line := nothing_new(settings)) is not None:
            print(line)
            return 0
        results = _pipeline(settings, args, _whole_pipeline(settings), PIPELINE_JOBS)
    return 0 if results and all(r.success for r in results) else 1


def _check_range(settings: Settings, job: str, first: str, last: str) -> None:
    """One line, exit 2, for a range the job's partitions do not have (before Dagster runs)."""
    from orchestration.partition_range import check_range
    from orchestration.runner import data_span, partition_bounds

    span = data_span(settings.lake_uri)
    try:
        check_range(job, first, last, partition_bounds(), span.first_day if span else None)
    except UserError as error:
        raise UserError(f"--job {job}: {error}") from None


# what `u2c run` and `u2c demo` run (orchestration.runner.run_pipeline)
PIPELINE_JOBS = [LANDING_JOB, USAGE_JOB, CLOSE_JOB]


def _whole_pipeline(settings: Settings):
    def work(run_config: dict, say) -> list:
        from orchestration.runner import run_pipeline

        return run_pipeline(settings, run_config=run_config, say=say)

    return work


def _cmd_demo(args: argparse.Namespace) -> int:
    os.environ.setdefault("U2C_DATA_DIR", "data")
    settings = Settings.from_env()
    args.out = str(settings.data_dir)
    _cmd_generate(args)
    results = _pipeline(settings, args, _whole_pipeline(settings), PIPELINE_JOBS)
    return 0 if results and all(r.success for r in results) else 1


def _cmd_replay(args: argparse.Namespace) -> int:
    from orchestration.replay import replay
    from orchestration.runner import partition_bounds

    settings = Settings.from_env()
    _require_data_dir(settings)
    first_day, last_day = partition_bounds()
    if not first_day <= args.first <= args.last <= last_day:
        raise UserError(
            f"replay: need {first_day} <= --from <= --to <= {last_day} (the usage day "
            "partitions; U2C_PARTITIONS_START sets the first)"
        )
    what = f"replaying {args.first} to {args.last} in a scratch dir"
    with _quietly(settings, args, what):
        report = replay(settings, args.first, args.last)
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


def _cmd_spark_check(args: argparse.Namespace) -> int:
    """The dbt project on DuckDB and on Spark over one landed world; 1 if any compared table
    differs."""
    from orchestration.demo_generator import demo_generator
    from orchestration.spark_check import SparkUnavailable, report, run_check

    GenerateOptions, _ = demo_generator()

    data_dir = Settings.from_env().data_dir / "spark-check"
    if data_dir.exists():  # a fresh world: the check compares one build of each engine
        import shutil

        shutil.rmtree(data_dir)
    options = GenerateOptions(
        out=data_dir, seed=args.seed, days=args.days, customers=args.customers,
        events_per_day=args.events_per_day, start=args.start, clean=args.clean,
    )  # fmt: skip
    try:
        result = run_check(data_dir, options, say=_say)
    except SparkUnavailable as error:
        raise UserError(str(error)) from error
    report(result)
    return 0 if result.ok else 1


def _cmd_docs(args: argparse.Namespace) -> int:
    """dbt docs for the project: a self-contained `static_index.html` (opens from disk), with
    the catalog (columns and types) from the warehouse when one was built."""
    from orchestration.dbt_project import installed_dbt
    from orchestration.settings import DBT_PROJECT_DIR

    settings = Settings.from_env()
    settings.apply()
    target = settings.docs
    command = [
        installed_dbt(),
        "docs",
        "generate",
        "--static",
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(target),
    ]
    if not settings.warehouse.exists():
        command.append("--empty-catalog")  # descriptions and lineage, no column types yet
    empty = " (no warehouse yet: an empty catalog)" if not settings.warehouse.exists() else ""
    _say(f"dbt docs generate{empty}")
    done = subprocess.run(command, cwd=DBT_PROJECT_DIR, capture_output=True, text=True, check=False)
    log = settings.logs / "dbt-docs.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(done.stdout + done.stderr)
    if done.returncode != 0:
        raise RunFailed(f"dbt docs generate failed; its output is in {log}")
    print(f"dbt docs: {target / 'static_index.html'} (open in a browser; also index.html)")
    return 0


# ---- looking -----------------------------------------------------------------------------------


def _print(sections, fmt: str) -> None:
    from orchestration.tables import render

    print(render(sections, fmt))


def _cmd_status(args: argparse.Namespace) -> int:
    from orchestration.status import status

    _print(status(Settings.from_env(), limit=args.limit), args.format)
    return 0


def _cmd_exports_list(args: argparse.Namespace) -> int:
    from orchestration.exports_view import list_view

    settings = Settings.from_env()
    _require_data_dir(settings)
    sections = list_view(settings.exports_uri)
    _print(sections, args.format)
    return 0


def _cmd_exports_show(args: argparse.Namespace) -> int:
    from orchestration.exports_view import show_view

    settings = Settings.from_env()
    _require_data_dir(settings)
    sections, intact = show_view(settings.exports_uri, args.batch)
    _print(sections, args.format)
    return 0 if intact else 1


def _cmd_recon(args: argparse.Namespace) -> int:
    from orchestration.inspect_marts import recon

    sections = recon(Settings.from_env(), args.entity, args.period, args.status)
    _print(sections, args.format)
    return 0


def _cmd_quarantine(args: argparse.Namespace) -> int:
    from orchestration.inspect_marts import quarantine

    _print(quarantine(Settings.from_env(), args.system, args.samples), args.format)
    return 0


# ---- the parser --------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="u2c",
        description=__doc__.splitlines()[0],
        epilog="Everything runtime lives under U2C_DATA_DIR (default ./data).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

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
        p.add_argument(
            "--gzip",
            action="store_true",
            help="usage day files as events_YYYY-MM-DD.jsonl.gz (a big world: ~8x less disk)",
        )

    def verbose(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "-v",
            "--verbose",
            action="store_true",
            help="also show Dagster's DEBUG stream and dbt's output (always in <data dir>/logs/)",
        )

    def output(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--format",
            choices=FORMATS,
            default="table",
            help="table (default, for a terminal), json or csv (for scripts)",
        )

    gen = sub.add_parser("generate", help="write a deterministic demo inbox")
    gen.add_argument("--out", help="data dir to write inbox/ under (default $U2C_DATA_DIR)")
    world_options(gen)
    gen.set_defaults(func=_cmd_generate)

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
    verbose(run)
    run.set_defaults(func=_cmd_run)

    demo = sub.add_parser("demo", help="generate a demo world into ./data and run the pipeline")
    world_options(demo)
    verbose(demo)
    demo.set_defaults(func=_cmd_demo)

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
    verbose(replay)
    replay.set_defaults(func=_cmd_replay)

    bench = sub.add_parser("bench", help="time the pipeline per stage against a DuckDB floor")
    bench.add_argument("--events", type=int, default=1_000_000)
    bench.add_argument("--days", type=int, default=45)
    bench.add_argument("--gzip", action="store_true", help="the usage inbox as .jsonl.gz")
    bench.add_argument(
        "--out", help="data dir for the bench world (default $U2C_DATA_DIR/bench-world)"
    )
    verbose(bench)
    bench.set_defaults(func=_cmd_bench)

    spark = sub.add_parser(
        "spark-check",
        help="build the dbt project on DuckDB and on Spark over one generated world and compare "
        "the reconciliation marts, journal_lines and usage_daily row for row (make spark-check)",
    )
    world_options(spark)
    spark.set_defaults(func=_cmd_spark_check)

    docs = sub.add_parser("docs", help="generate the dbt docs of the project (make docs)")
    docs.set_defaults(func=_cmd_docs)

    status = sub.add_parser(
        "status",
        help="last runs and their outcome, freshness per source system, open variances",
    )
    status.add_argument("--limit", type=int, default=10, help="runs to show (default 10)")
    output(status)
    status.set_defaults(func=_cmd_status)

    exports = sub.add_parser("exports", help="published export batches and their files")
    exports_sub = exports.add_subparsers(dest="exports_command", required=True, metavar="ACTION")
    listing = exports_sub.add_parser(
        "list", help="every batch: files, rows, and whether the manifest matches the files"
    )
    output(listing)
    listing.set_defaults(func=_cmd_exports_list)
    show = exports_sub.add_parser(
        "show",
        help="one batch: each file with rows, control totals, checksum and its check on disk "
        "(exit 1 when a file is missing or changed)",
    )
    show.add_argument("batch", metavar="BATCH", help="the export id, as `u2c exports list` shows")
    output(show)
    show.set_defaults(func=_cmd_exports_show)

    recon = sub.add_parser(
        "recon", help="rec_summary and the open rows behind it (published marts)"
    )
    recon.add_argument("--entity", help="legal entity, e.g. US01")
    recon.add_argument("--period", help="fiscal period, YYYY-MM")
    recon.add_argument(
        "--status", help="only this status (default: the summary of all, the open rows behind)"
    )
    output(recon)
    recon.set_defaults(func=_cmd_recon)

    quarantine = sub.add_parser(
        "quarantine", help="quarantined rows by system, table, class and reason, with samples"
    )
    quarantine.add_argument("--system", help="usage, billing, crm, erp, ...")
    quarantine.add_argument(
        "--samples", type=int, default=3, help="sample rows per reason (default 3)"
    )
    output(quarantine)
    quarantine.set_defaults(func=_cmd_quarantine)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except UserError as error:
        print(f"u2c {args.command}: {error}", file=sys.stderr)
        return error.exit_code
    except BrokenPipeError:  # `u2c ... | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("u2c: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
