"""One lander at a time, and nothing half-landed left behind by one that was killed.

A batch is landed when its ledger row exists (`lake/_ledger/landing_batches/<batch>.parquet`,
written last). A landing killed between renaming (on s3://, uploading) a batch's data files into
place and writing that row leaves data no ledger accounts for; a killed one also leaves hidden
temp files. Before landing, `lake_writer` takes the lake's lock (an flock: the kernel releases it
when its process dies, however it dies), removes those temp files and every raw or quarantine
file of a batch without a ledger row. The batch itself is not lost: its inbox file has no ledger
row either, so the same landing lands it again from scratch.

An s3:// lake has no flock: the lock is the same flock on a file of the local staging directory
(`LandingSite.local`), so landing is single-writer per lake: one lander process (one host) for
a given lake URI. Recovery lists the bucket and deletes the objects of uncommitted batches.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sources.atomic import sweep_stale_temps
from sources.file_lock import held
from sources.landing_site import LEDGER_DIR, LandingSite

LOCK_FILE = "_ledger/landing.lock"


@dataclass
class Recovery:
    temps_removed: list[Path] = field(default_factory=list)
    # local paths, or s3:// URIs on an object-storage lake
    uncommitted_removed: list[str] = field(default_factory=list)


def _stem(name: str) -> str:
    return name.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def committed_batches(lake: Path | LandingSite) -> set[str]:
    return {_stem(f) for f in LandingSite.of(lake).parquet_files(LEDGER_DIR)}


def recover(lake: Path | LandingSite) -> Recovery:
    """Remove what a killed landing left; call it holding the lake's lock (`lake_writer`)."""
    site = LandingSite.of(lake)
    recovery = Recovery(temps_removed=sweep_stale_temps(site.local))
    committed = committed_batches(site)
    # every landed data file: raw/<system>/<table>/load_date=<d>/<batch>.parquet, and the same
    # under quarantine/ (local paths, or s3:// URIs)
    for area in ("raw", "quarantine"):
        for location in sorted(site.parquet_files(area)):
            if _stem(location) not in committed:
                site.remove(location)
                recovery.uncommitted_removed.append(location)
    return recovery


@contextlib.contextmanager
def lake_writer(lake: Path | LandingSite) -> Iterator[Recovery]:
    """Hold the lake's landing lock (waiting for another lander), recovered from any crash."""
    site = LandingSite.of(lake)
    with held(site.local / LOCK_FILE):
        yield recover(site)
