"""One lander at a time, and nothing half-landed left behind by one that was killed.

A batch is landed when its ledger row exists (`lake/_ledger/landing_batches/<batch>.parquet`,
written last). A landing killed between renaming a batch's data files into place and writing
that row leaves data no ledger accounts for; a killed one also leaves hidden temp files. Before
landing, `lake_writer` takes the lake's lock (an flock: the kernel releases it when its process
dies, however it dies), removes those temp files and every raw or quarantine file of a batch
without a ledger row. The batch itself is not lost: its inbox file has no ledger row either, so
the same landing lands it again from scratch.
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sources.atomic import sweep_stale_temps

LOCK_FILE = "_ledger/landing.lock"


@dataclass
class Recovery:
    temps_removed: list[Path] = field(default_factory=list)
    uncommitted_removed: list[Path] = field(default_factory=list)


def committed_batches(lake: Path) -> set[str]:
    ledger = lake / "_ledger" / "landing_batches"
    return {p.stem for p in ledger.glob("*.parquet") if not p.name.startswith(("_", "."))}


def batch_files(lake: Path) -> Iterator[Path]:
    """Every landed data file: raw/<system>/<table>/load_date=<d>/<batch>.parquet, and the same
    under quarantine/."""
    for area in ("raw", "quarantine"):
        root = lake / area
        if root.is_dir():
            yield from (
                p for p in sorted(root.rglob("*.parquet")) if not p.name.startswith(("_", "."))
            )


def recover(lake: Path) -> Recovery:
    """Remove what a killed landing left; call it holding the lake's lock (`lake_writer`)."""
    recovery = Recovery(temps_removed=sweep_stale_temps(lake))
    committed = committed_batches(lake)
    for path in batch_files(lake):
        if path.stem not in committed:
            path.unlink(missing_ok=True)
            recovery.uncommitted_removed.append(path)
    return recovery


@contextlib.contextmanager
def lake_writer(lake: Path) -> Iterator[Recovery]:
    """Hold the lake's landing lock (waiting for another lander), recovered from any crash."""
    lock = lake / LOCK_FILE
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield recover(lake)
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
