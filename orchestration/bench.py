"""`u2c bench`: the pipeline's cost per stage against a bare-DuckDB floor on the same input.

A world of N usage events is generated (not timed), the usage of its last day held back. Then:
the floor (DuckDB alone: read the NDJSON, dedup on (source, id), aggregate per key x metric x
day, write Parquet), the full pipeline (`u2c run`: land, the usage days, the billing periods with
the ERP export and close report), a second `u2c run` with nothing new (the real command, in its
own process: it must stop at once, materializing nothing), and the intra-day path after the
held-back day is appended (land, that day's usage, its period's refresh: the incremental cost).
Each is reported against the floor. Stage times come from the runs' own step events, summed over
the runs; the dbt stage is set against the time dbt itself reports (run_results.json of each
invocation: elapsed_time), the rest being dbt's start and parse and Dagster's event handling.
Peak RSS is sampled from /proc for the process and its children (dbt runs as a child) and
attributed to the stage running at the time. Results go to <data dir>/bench/bench-<N>.json.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from orchestration.settings import Settings

FLOOR_SQL = """
copy (
    select
        coalesce(data.subscription, data.customer) as usage_key,
        data.metric as metric,
        cast(time as date) as usage_date,
        sum(data.quantity) as quantity,
        count(*) as events
    from (
        select any_value(time) as time, any_value(data) as data
        from read_json(
            '{glob}', format = 'newline_delimited',
            columns = {{
                id: 'VARCHAR', source: 'VARCHAR', time: 'TIMESTAMP',
                data: 'STRUCT(metric VARCHAR, quantity DECIMAL(38, 9), subscription VARCHAR,
                              customer VARCHAR)'
            }}
        )
        group by source, id
    )
    group by all
) to '{target}' (format parquet)
"""


def _rss_kb(pid: int) -> int:
    """Resident set of a process and all its descendants, from /proc (Linux)."""
    total = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += next(
                int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS")
            )
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                stack.extend(int(c) for c in children)
        except (OSError, StopIteration, ValueError):
            continue
    return total


@dataclass
class _Sampler:
    interval: float = 0.2
    samples: list[tuple[float, int]] = field(default_factory=list)

    def __enter__(self) -> _Sampler:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.time(), _rss_kb(os.getpid())))
            self._stop.wait(self.interval)

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def peak_between(self, start: float, end: float) -> int:
        inside = [kb for t, kb in self.samples if start <= t <= end]
        return max(inside, default=0)


def _stages(results: list, sampler: _Sampler) -> dict[str, dict]:
    """Seconds (the sum of its steps' durations, over all the runs) and peak RSS per stage;
    steps are assigned to stages as `ops_runs` assigns them (orchestration/run_record.py)."""
    from dagster import DagsterInstance

    from orchestration.run_record import STEP_ENDS, STEP_START, stages_by_step, step_events

    stages: dict[str, dict] = {}
    for result in results:
        with DagsterInstance.get() as instance:
            events = step_events(instance.all_logs(result.run_id))
        stage_by_step = stages_by_step(result.job_def)
        starts: dict[str, float] = {}
        for event in events:
            if event.step_key is None:
                continue
            if event.kind == STEP_START:
                starts[event.step_key] = event.timestamp
            elif event.kind in STEP_ENDS:
                start = starts.get(event.step_key, event.timestamp)
                name = stage_by_step.get(event.step_key) or "checks"
                stage = stages.setdefault(name, {"seconds": 0.0, "peak_rss_mb": 0})
                stage["seconds"] += event.timestamp - start
                peak = sampler.peak_between(start, event.timestamp) / 1024
                stage["peak_rss_mb"] = max(stage["peak_rss_mb"], round(peak))
    for stage in stages.values():
        stage["seconds"] = round(stage["seconds"], 2)
    return stages


def dbt_reported(target: Path, run_ids: list[str]) -> dict:
    """What dbt itself reports for the runs' invocations: dagster-dbt gives each one a target
    dir `<asset>-<run id[:7]>-<hash>` with its run_results.json (elapsed_time: from the start of
    the build, after dbt started and parsed)."""
    seconds, invocations = 0.0, 0
    for run_id in run_ids:
        for results in sorted(target.glob(f"*-{run_id[:7]}-*/run_results.json")):
            seconds += json.loads(results.read_text())["elapsed_time"]
            invocations += 1
    return {"seconds": round(seconds, 2), "invocations": invocations}


def _timed_run(settings: Settings, intraday_day: date | None = None) -> dict:
    from orchestration.runner import ready, run_intraday, run_pipeline

    with _Sampler() as sampler:
        started = time.time()
        if intraday_day is None:
            ready(settings)
            results = run_pipeline(settings)
        else:
            results = run_intraday(settings, intraday_day)
        seconds = time.time() - started
    failed = [r for r in results if not r.success]
    if failed or not results:
        raise RuntimeError(f"bench: run {failed[0].run_id if failed else '-'} failed; see make ui")
    stages = _stages(results, sampler)
    reported = dbt_reported(settings.dbt_target, [r.run_id for r in results])
    dbt_stage = stages.get("dbt", {}).get("seconds", 0)
    return {
        "seconds": round(seconds, 2),
        "runs": [r.job_def.name for r in results],
        "peak_rss_mb": round(max((kb for _, kb in sampler.samples), default=0) / 1024),
        "stages": stages,
        "dbt_reported": reported,
        "dbt_stage_vs_reported": round(dbt_stage / reported["seconds"], 2)
        if reported["seconds"]
        else None,
    }


def _no_op_run(settings: Settings) -> dict:
    """`u2c run` again, as a user types it, with nothing new since the full run."""
    from dagster import DagsterInstance

    with DagsterInstance.get() as instance:
        runs_before = instance.get_runs_count()
    u2c = Path(sys.executable).with_name("u2c")
    started = time.time()
    done = subprocess.run(
        [str(u2c), "run"],
        env={**os.environ, "U2C_DATA_DIR": str(settings.data_dir)},
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.time() - started
    with DagsterInstance.get() as instance:
        new_runs = instance.get_runs_count() - runs_before
    if done.returncode != 0:
        raise RuntimeError(f"bench: the no-op `u2c run` failed: {done.stderr[-2000:]}")
    return {
        "seconds": round(seconds, 2),
        "said": done.stdout.strip().splitlines()[0] if done.stdout.strip() else "",
        "dagster_runs": new_runs,
    }


def _count_lines(path: Path) -> int:
    import gzip

    with (gzip.open if path.name.endswith(".gz") else open)(path, "rb") as fh:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))


def run_floor(inbox: Path, target: Path) -> float:
    started = time.time()
    with duckdb.connect() as con:
        con.execute("set preserve_insertion_order = false")
        # plain and gzipped day files alike (DuckDB decompresses by the extension)
        con.execute(FLOOR_SQL.format(glob=inbox / "usage" / "*.jsonl*", target=target))
    return time.time() - started


def run_bench(
    events: int,
    data_dir: Path,
    days: int = 45,
    customers: int = 40,
    gzipped: bool = False,
    say: Callable[[str], None] | None = None,
) -> dict:
    """Generate, then time the floor, the full run, a run with nothing new and the intra-day
    path; `say` hears which step starts (the terminal's progress)."""
    from orchestration.demo_generator import demo_generator

    say = say or (lambda _message: None)

    GenerateOptions, generate = demo_generator()
    settings = Settings(data_dir=data_dir.resolve())
    per_day = max(1, events // days)
    say(f"generating {events:,} events over {days} days into {settings.data_dir} (not timed)")
    generate(
        GenerateOptions(
            out=settings.data_dir,
            days=days,
            customers=customers,
            events_per_day=per_day,
            gzip=gzipped,
        )
    )
    usage = sorted((settings.inbox / "usage").glob("events_2*.jsonl*"))
    held_back = settings.data_dir / "bench" / usage[-1].name
    held_back.parent.mkdir(parents=True, exist_ok=True)
    os.replace(usage[-1], held_back)  # appended later: the incremental run's new day

    lines = sum(_count_lines(p) for p in (settings.inbox / "usage").glob("*.jsonl*"))
    say(f"floor: bare DuckDB over {lines:,} usage lines")
    floor_seconds = run_floor(settings.inbox, settings.data_dir / "bench" / "floor.parquet")
    say("full run: land, usage days, billing periods with the ERP export")
    full = _timed_run(settings)
    say("a run with nothing new")
    no_op = _no_op_run(settings)
    os.replace(held_back, settings.inbox / "usage" / held_back.name)
    day = date.fromisoformat(held_back.name.split(".")[0].removeprefix("events_"))
    say(f"intra-day path after appending {day}")
    incremental = _timed_run(settings, intraday_day=day)

    def to_floor(seconds: float) -> float | None:
        return round(seconds / floor_seconds, 2) if floor_seconds else None

    report = {
        "events": lines,
        "floor_seconds": round(floor_seconds, 2),
        "pipeline": full,
        "ratio_to_floor": to_floor(full["seconds"]),
        "events_per_second": round(lines / full["seconds"]) if full["seconds"] else None,
        "no_op": no_op | {"ratio_to_floor": to_floor(no_op["seconds"])},
        "no_op_share_of_full": round(no_op["seconds"] / full["seconds"], 4),
        "incremental": incremental | {"ratio_to_floor": to_floor(incremental["seconds"])},
        "incremental_share_of_full": round(incremental["seconds"] / full["seconds"], 3),
    }
    target = settings.data_dir / "bench" / f"bench-{events}.json"
    target.write_text(json.dumps(report, indent=2) + "\n")
    report["report_file"] = str(target)
    return report


def format_report(report: dict) -> str:
    rows = [f"{'stage':<12}{'full s':>10}{'peak MB':>10}{'incr s':>10}{'peak MB':>10}"]
    full, incr = report["pipeline"]["stages"], report["incremental"]["stages"]
    for stage in ("landing", "dbt", "checks", "exports", "publish"):
        f, i = full.get(stage, {}), incr.get(stage, {})
        rows.append(
            f"{stage:<12}{f.get('seconds', 0):>10}{f.get('peak_rss_mb', 0):>10}"
            f"{i.get('seconds', 0):>10}{i.get('peak_rss_mb', 0):>10}"
        )
    rows.append(
        f"{'total':<12}{report['pipeline']['seconds']:>10}{report['pipeline']['peak_rss_mb']:>10}"
        f"{report['incremental']['seconds']:>10}{report['incremental']['peak_rss_mb']:>10}"
    )
    for name, run in (("full", report["pipeline"]), ("intra-day", report["incremental"])):
        reported = run["dbt_reported"]
        rows.append(
            f"dbt stage ({name}): {run['stages'].get('dbt', {}).get('seconds', 0)} s for "
            f"{reported['seconds']} s reported by dbt over {reported['invocations']} "
            f"invocations = {run['dbt_stage_vs_reported']}x"
        )
    no_op = report["no_op"]
    rows.append(
        f"{report['events']} usage lines: floor {report['floor_seconds']} s (bare DuckDB), "
        f"pipeline/floor {report['ratio_to_floor']}x, {report['events_per_second']} events/s; "
        f"intra-day path after a one-day append: {report['incremental_share_of_full']:.1%} of "
        f"the full run ({report['incremental']['ratio_to_floor']}x the floor); "
        f"a run with nothing new: {no_op['seconds']} s = {report['no_op_share_of_full']:.1%} of "
        f"the full run ({no_op['ratio_to_floor']}x the floor), {no_op['dagster_runs']} Dagster "
        f"runs: {no_op['said']!r}"
    )
    return "\n".join(rows)
