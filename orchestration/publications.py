"""What a `u2c run` published, and what it did not and why: the part of the summary a user reads
to know whether the analysts' file, the usage snapshot, the ERP import files and the close
reports they are about to open came from this run."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dagster import AssetCheckSeverity, AssetKey

PUBLICATIONS: dict[AssetKey, str] = {
    AssetKey(["exports", "usage_daily"]): "usage snapshot (exports/usage_daily/)",
    AssetKey(["exports", "erp_journals"]): "ERP journal import files (exports/journals/)",
    AssetKey(["exports", "close_report"]): "close reports (exports/close/)",
    AssetKey(["published", "marts"]): "analysts' DuckDB file (published/marts.duckdb)",
}


@dataclass(frozen=True)
class Outcome:
    label: str
    published: bool
    why: str  # what was written, or why nothing was


def outcomes(results: list, planned_jobs: Iterable[str]) -> list[Outcome]:
    """One outcome per publication a planned job materializes, in PUBLICATIONS order."""
    from orchestration.definitions import defs

    planned = {
        key
        for name in planned_jobs
        for key in defs.resolve_job_def(name).asset_layer.executable_asset_keys
        if key in PUBLICATIONS
    }
    done = {}
    for result in results:
        for event in result.get_asset_materialization_events():
            if event.asset_key in PUBLICATIONS:
                done[event.asset_key] = (result, event.step_materialization_data.materialization)
    found = []
    for key, label in PUBLICATIONS.items():
        if key not in planned:
            continue
        if key in done:
            result, materialization = done[key]
            found.append(_written(label, result, materialization.metadata))
        else:
            found.append(Outcome(label, False, _why_not(key, results)))
    return found


def _written(label: str, result, metadata: dict) -> Outcome:
    def value(name: str):
        entry = metadata.get(name)
        return getattr(entry, "value", entry)

    run = f"run {result.run_id[:8]} ({result.job_def.name})"
    if value("written") is False:
        rows = value("rows")
        nothing = "nothing new to write" if rows else "nothing to write (no rows)"
        return Outcome(label, False, f"{nothing}; {run} succeeded")
    return Outcome(label, True, run)


def _why_not(key: AssetKey, results: list) -> str:
    """The first reason the run that should have published `key` did not."""
    owner = next((r for r in results if key in r.job_def.asset_layer.executable_asset_keys), None)
    if owner is None:
        failed = next((r for r in results if not r.success), None)
        if failed is not None:
            return f"not run: the pipeline stopped after {failed.job_def.name} failed"
        return "not run: no data to build yet"
    blocking = [
        e
        for e in owner.get_asset_check_evaluations()
        if not e.passed and e.severity == AssetCheckSeverity.ERROR
    ]
    if blocking:
        names = ", ".join(sorted({e.check_name for e in blocking}))
        return f"blocked by failed check(s) {names} in run {owner.run_id[:8]}"
    failed_steps = sorted(owner.get_failed_step_keys())
    if failed_steps:
        return f"step(s) {', '.join(failed_steps)} failed in run {owner.run_id[:8]}"
    return f"not materialized by run {owner.run_id[:8]} ({owner.job_def.name})"


def lines(found: list[Outcome]) -> list[str]:
    published = [o for o in found if o.published]
    missing = [o for o in found if not o.published]
    out = []
    if published:
        out.append("published by this run:")
        out += [f"  {o.label}: {o.why}" for o in published]
    if missing:
        out.append("not published by this run:")
        out += [f"  {o.label}: {o.why}" for o in missing]
    return out
