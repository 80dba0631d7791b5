"""Crash trials: `u2c run` killed with SIGKILL at named fault points (`sources/faults.py`), rerun,
and the data dir checked against an uninterrupted run of the same inbox.

A trial is a chain of fault points: the first run dies at the first point, its rerun at the
second, ... and a last run without a fault completes. After every kill, nothing partial may be
visible; after the last run, the exports must be byte-identical to the uninterrupted run's, no
journal line may have been sent twice, every landed batch must conserve its rows, and no temp
file may be left.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

BIN = Path(sys.executable).parent
# A tiny world across a month end: invoices, credit notes, refunds and ERP files for 3 entities.
WORLD = [
    "--seed", "5", "--days", "35", "--customers", "4", "--events-per-day", "10",
    "--start", "2026-08-20",
]  # fmt: skip
# Values that differ between two uninterrupted runs of the same inbox (a run id, a wall clock):
# everything else in a manifest must be identical.
RUN_SPECIFIC = {("quality_checks", "run_id"), ("watermark", "last_landed_at")}
OUTPUT_AREAS = ("lake", "exports", "published")
# Secrets a deployment has in its environment: none may be written to any file or log.
CANARIES = {
    "DAGSTER_PG_PASSWORD": "canary-pg-password-7f3a9c",
    "STRIPE_API_KEY": "canary-stripe-api-key-0c9d5e",
    "NETSUITE_TOKEN_SECRET": "canary-netsuite-token-41b8e2",
}


def u2c(
    data_dir: Path,
    *args: str,
    fault: str | None = None,
    extra_env: dict[str, str] | None = None,
    umask: int | None = None,
) -> subprocess.CompletedProcess:
    """`u2c` in its own session (a process group the fault point kills whole, dbt included)."""
    env = {**os.environ, "U2C_DATA_DIR": str(data_dir), **(extra_env or {})}
    env.pop("DAGSTER_HOME", None)
    env.pop("U2C_FAULT_POINT", None)
    if fault:
        env["U2C_FAULT_POINT"] = fault
    return subprocess.run(
        [str(BIN / "u2c"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        start_new_session=True,
        preexec_fn=None if umask is None else (lambda: os.umask(umask)),
    )


def generate_world(template: Path) -> Path:
    done = u2c(template, "generate", *WORLD)
    assert done.returncode == 0, done.stderr
    return template


def fresh_copy(template: Path, data_dir: Path) -> Path:
    """The template's inbox in a new data dir, modification times kept (they are the delivery
    times the exports are dated by)."""
    shutil.copytree(template / "inbox", data_dir / "inbox", copy_function=shutil.copy2)
    return data_dir


def _visible(path: Path, root: Path) -> bool:
    return not any(part.startswith(".") for part in path.relative_to(root).parts)


def temp_files(data_dir: Path) -> list[Path]:
    """Hidden temp files and directories a writer left under the output areas."""
    found = []
    for area in OUTPUT_AREAS:
        root = data_dir / area
        if root.is_dir():
            found += [p for p in root.rglob(".*") if ".tmp" in p.name]
    return found


def partial_files(data_dir: Path) -> list[str]:
    """What a reader would see half-written: an unreadable Parquet file in the lake, an export
    batch whose files do not match its manifest, an unreadable close report or analysts' copy."""
    problems: list[str] = []
    lake = data_dir / "lake"
    for path in sorted(lake.rglob("*.parquet")) if lake.is_dir() else []:
        if _visible(path, lake):
            try:
                pq.read_table(path)
            except Exception as error:
                problems.append(f"unreadable {path}: {error}")
    exports = data_dir / "exports"
    for kind in ("usage_daily", "journals"):
        for batch in sorted((exports / kind).glob("*")) if (exports / kind).is_dir() else []:
            if not _visible(batch, exports):
                continue
            manifest = batch / "manifest.json"
            if not manifest.exists():
                problems.append(f"batch without manifest: {batch}")
                continue
            described = {f["file"]: f["sha256"] for f in json.loads(manifest.read_text())["files"]}
            present = {p.name for p in batch.iterdir()} - {"manifest.json"}
            if present != set(described):
                problems.append(f"{batch}: files {sorted(present)} vs manifest {sorted(described)}")
            for name, sha in described.items():
                if (batch / name).exists() and _sha256(batch / name) != sha:
                    problems.append(f"{batch / name}: sha256 differs from its manifest")
    for report in sorted(exports.glob("close/*/close_report.json")):
        try:
            json.loads(report.read_text())
        except ValueError as error:
            problems.append(f"unreadable {report}: {error}")
    published = data_dir / "published" / "marts.duckdb"
    if published.exists():
        try:
            with duckdb.connect(str(published), read_only=True) as con:
                con.execute("select count(*) from journal_lines").fetchone()
        except duckdb.Error as error:
            problems.append(f"unreadable {published}: {error}")
    return problems


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _strip(document: dict) -> dict:
    out = json.loads(json.dumps(document))
    for section, key in RUN_SPECIFIC:
        if isinstance(out.get(section), dict):
            out[section].pop(key, None)
    return out


def export_fingerprint(data_dir: Path) -> dict[str, str]:
    """Every visible export file by path: its sha256, or for a manifest its content without the
    run-specific values."""
    exports = data_dir / "exports"
    found = {}
    for path in sorted(p for p in exports.rglob("*") if p.is_file() and _visible(p, exports)):
        name = str(path.relative_to(exports))
        if path.name == "manifest.json":
            found[name] = json.dumps(_strip(json.loads(path.read_text())), sort_keys=True)
        else:
            found[name] = _sha256(path)
    return found


def lines_sent_twice(data_dir: Path) -> list[tuple]:
    ledgers = [
        str(p)
        for p in sorted((data_dir / "exports" / "journals").glob("*/ledger.parquet"))
        if _visible(p, data_dir / "exports")
    ]
    if not ledgers:
        return []
    with duckdb.connect() as con:
        return con.execute(
            "select external_id, line_number, count(*) from read_parquet(?) "
            "group by all having count(*) > 1",
            [ledgers],
        ).fetchall()


def ledger_problems(data_dir: Path) -> tuple[list[str], dict[str, int]]:
    """Per landed batch: rows read = landed + quarantined, and the rows really in its raw and
    quarantine files equal those counts (one file per table, none for an unknown batch)."""
    lake = data_dir / "lake"
    problems: list[str] = []
    ledger_files = [
        p for p in (lake / "_ledger" / "landing_batches").glob("*.parquet") if p.stem[0] != "_"
    ]
    batches = {}
    for path in ledger_files:
        [row] = pq.read_table(path).to_pylist()
        batches[row["batch_id"]] = row
        if row["rows_read"] != row["rows_landed"] + row["rows_quarantined"]:
            problems.append(f"{row['batch_id']}: read != landed + quarantined")
    landed: dict[str, int] = {}
    quarantined: dict[str, int] = {}
    main_tables: dict[str, set[str]] = {}
    for area, counts in (("raw", landed), ("quarantine", quarantined)):
        for path in (lake / area).rglob("*.parquet"):
            if not _visible(path, lake) or path.name.startswith("_"):
                continue
            if path.stem not in batches:
                problems.append(f"{path}: no ledger row for its batch")
                continue
            table = path.parent.parent.name
            if area == "raw":
                row = batches[path.stem]
                if table != row["source_table"]:
                    continue  # a child table (invoice lines): rows per parent, not per line
                main_tables.setdefault(path.stem, set()).add(str(path.parent))
            counts[path.stem] = counts.get(path.stem, 0) + pq.read_metadata(path).num_rows
    for batch_id, row in batches.items():
        if landed.get(batch_id, 0) != row["rows_landed"]:
            problems.append(f"{batch_id}: {landed.get(batch_id, 0)} raw rows, ledger says landed")
        if quarantined.get(batch_id, 0) != row["rows_quarantined"]:
            problems.append(f"{batch_id}: quarantine rows differ from the ledger")
        if len(main_tables.get(batch_id, ())) > 1:
            problems.append(f"{batch_id}: landed twice ({sorted(main_tables[batch_id])})")
    return problems, {b: r["rows_read"] for b, r in batches.items()}


@dataclass
class Outcome:
    """What a finished data dir looks like, for comparing a trial with the uninterrupted run."""

    exports: dict[str, str]
    rows_read: dict[str, int]
    problems: list[str] = field(default_factory=list)


def outcome(data_dir: Path) -> Outcome:
    problems = partial_files(data_dir)
    problems += [f"temp file left: {p}" for p in temp_files(data_dir)]
    problems += [f"journal line sent twice: {d}" for d in lines_sent_twice(data_dir)]
    ledger, rows_read = ledger_problems(data_dir)
    return Outcome(export_fingerprint(data_dir), rows_read, problems + ledger)


@dataclass
class TrialResult:
    chain: tuple[str, ...]
    kills: list[str]  # the points that did kill, in order
    problems: list[str]

    @property
    def passed(self) -> bool:
        return len(self.kills) == len(self.chain) and not self.problems


def run_trial(data_dir: Path, chain: tuple[str, ...], reference: Outcome) -> TrialResult:
    kills: list[str] = []
    problems: list[str] = []
    for point in chain:
        done = u2c(data_dir, "run", fault=point)
        if done.returncode != -signal.SIGKILL:
            problems.append(f"{point}: not reached (exit {done.returncode})")
            break
        kills.append(point)
        problems += [f"after kill at {point}: {p}" for p in partial_files(data_dir)]
    final = u2c(data_dir, "run")
    if final.returncode != 0:
        problems.append(f"rerun failed: {final.stdout[-2000:]}{final.stderr[-3000:]}")
        return TrialResult(chain, kills, problems)
    got = outcome(data_dir)
    problems += got.problems
    if got.rows_read != reference.rows_read:
        problems.append("landing ledger differs from the uninterrupted run")
    for name in sorted(set(got.exports) | set(reference.exports)):
        if got.exports.get(name) != reference.exports.get(name):
            problems.append(f"export differs from the uninterrupted run: {name}")
    return TrialResult(chain, kills, problems)
