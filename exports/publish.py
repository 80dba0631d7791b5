"""Publish export batches exactly once: a batch directory appears whole or not at all.

An export batch is named by the hash of its content; a batch whose directory exists was
already published and is never rewritten, so a rerun with nothing new writes nothing.

The batch is written into a hidden temp directory beside its target (`.<id>.<pid>-<random>.tmp`,
never read as a batch), every file fsynced, then renamed into place. What a killed publish left
is removed by the next one (`sweep_stale_temps`). Published files are read-only for group and
others (FILE_MODE, directories DIR_MODE): finance reads them, only the pipeline writes. A write
that fails (disk full, no permission) raises an OSError naming the file it was writing.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from exports.manifest import ExportedFile, render_manifest
from exports.safe_names import check_name
from sources.atomic import naming, sweep_stale_temps, temp_sibling
from sources.faults import fault_point

MANIFEST = "manifest.json"
FILE_MODE = 0o644
DIR_MODE = 0o755


@dataclass(frozen=True)
class PublishedBatch:
    export_id: str
    directory: Path
    files: list[ExportedFile]
    written: bool  # False when the same content had been published before


def content_id(kind: str, files: list[ExportedFile]) -> str:
    digest = hashlib.sha256(kind.encode())
    for f in sorted(files, key=lambda f: f.name):
        digest.update(f.name.encode() + b"\0" + f.sha256.encode())
    return digest.hexdigest()[:16]


def published_dirs(root: Path, kind: str) -> list[Path]:
    """The published batch directories of `kind`, never a temp directory being written."""
    parent = root / kind
    if not parent.is_dir():
        return []
    return sorted(p for p in parent.iterdir() if p.is_dir() and not p.name.startswith("."))


def ensure_dirs(*directories: Path) -> None:
    """Create the directories (parents too) and make them DIR_MODE whatever the umask: under
    a group-writable directory anyone in the group could replace a published batch."""
    for directory in directories:
        with naming(directory):
            directory.mkdir(parents=True, exist_ok=True)
            os.chmod(directory, DIR_MODE)


def write_file(path: Path, payload: bytes, shown: Path, mode: int = FILE_MODE) -> None:
    """Write, fsync and set the mode of one file; an error names `shown` (the path the file will
    have once published, not its temp one)."""
    with naming(shown):
        with open(path, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(path, mode)


def publish_batch(
    root: Path, kind: str, files: list[ExportedFile], extra: dict, export_id: str | None = None
) -> PublishedBatch:
    """Publish under `export_id` (default: the hash of the files' names and contents)."""
    export_id = check_name(export_id or f"{kind}-{content_id(kind, files)}")
    for f in files:
        check_name(f.name)
    target = root / check_name(kind) / export_id
    if (target / MANIFEST).exists():
        return PublishedBatch(export_id, target, files, written=False)
    ensure_dirs(root, target.parent)
    sweep_stale_temps(target.parent)
    staging = temp_sibling(target)
    try:
        with naming(target):
            staging.mkdir()
        for f in files:
            write_file(staging / f.name, f.payload, target / f.name)
            fault_point("export.file_written")
        manifest = render_manifest(export_id, kind, files, extra)
        write_file(staging / MANIFEST, manifest, target / MANIFEST)
        with naming(target):
            os.chmod(staging, DIR_MODE)
            fault_point("export.staged")
            os.rename(staging, target)  # atomic: readers see the whole batch or none of it
            fsync_dir(target.parent)
        fault_point("export.published")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return PublishedBatch(export_id, target, files, written=True)


def fsync_dir(directory: Path) -> None:
    """Make a rename in `directory` durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
