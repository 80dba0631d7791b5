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


def run_pipeline(settings: Settings):
    """Materialize every asset in-process, recorded in the Dagster instance under the data dir."""
    settings.apply()
    from dagster import DagsterInstance

    from orchestration.dbt_project import make_dbt_project, prepare

    prepare(make_dbt_project())
    from orchestration.definitions import ALL_JOB, defs

    with DagsterInstance.get() as instance:
        job = defs.resolve_job_def(ALL_JOB)
        return job.execute_in_process(instance=instance, raise_on_error=False)


def _cmd_run(args: argparse.Namespace) -> int:
    result = run_pipeline(Settings.from_env())
    _print_summary(Settings.from_env(), result)
    return 0 if result.success else 1


def _cmd_demo(args: argparse.Namespace) -> int:
    os.environ.setdefault("U2C_DATA_DIR", "data")
    settings = Settings.from_env()
    args.out = str(settings.data_dir)
    _cmd_generate(args)
    result = run_pipeline(settings)
    _print_summary(settings, result)
    return 0 if result.success else 1


def _print_summary(settings: Settings, result) -> None:
    import duckdb

    print()
    print(f"run {result.run_id}: {'succeeded' if result.success else 'FAILED'}")
    if settings.published_marts.exists():
        with duckdb.connect(str(settings.published_marts), read_only=True) as con:
            landed, quarantined, batches = con.execute(
                "select coalesce(sum(rows_landed), 0), coalesce(sum(rows_quarantined), 0), count(*)"
                " from ops_landing_batches"
            ).fetchone()
        print(f"landing: {landed} rows landed, {quarantined} quarantined, {batches} batches in all")
    for evaluation in result.get_asset_check_evaluations():
        status = "passed" if evaluation.passed else "FAILED"
        print(f"check {evaluation.check_name} on {evaluation.asset_key.to_user_string()}: {status}")
    for manifest in sorted(settings.exports.glob("*/*/manifest.json")):
        doc = json.loads(manifest.read_text())
        files = ", ".join(f"{f['file']} ({f['rows']} rows)" for f in doc["files"])
        print(f"export {doc['export_id']}: {files} in {manifest.parent}")
    print(f"analysts' DuckDB file: {settings.published_marts}")
    print(f"Dagster run history: DAGSTER_HOME={settings.dagster_home} (make ui)")


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

    run = sub.add_parser("run", help="materialize every asset in-process")
    run.set_defaults(func=_cmd_run)

    demo = sub.add_parser("demo", help="generate a demo world into ./data and run the pipeline")
    world_options(demo)
    demo.set_defaults(func=_cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
