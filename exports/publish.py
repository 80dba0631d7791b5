"""Publish export batches exactly once: a batch appears whole or not at all, on local disk or s3.

An export batch is named by the hash of its content; a batch whose manifest exists was already
published and is never rewritten, so a rerun with nothing new writes nothing. This is the one
publish mechanism of the exports; its location is a local path or an s3:// URI
(`sources.lake_fs.Lake`), and the way a batch becomes visible follows what the store can do:

- local disk: the batch is written into a hidden temp directory beside its target
  (`.<id>.<pid>-<random>.tmp`, never read as a batch), every file fsynced, then renamed into
  place. What a killed publish left is removed by the next one (`sweep_stale_temps`). Published
  files are read-only for group and others (FILE_MODE, directories DIR_MODE): finance reads
  them, only the pipeline writes.
- s3 (no rename): the data files are written in place, the manifest LAST. Readers trust only
  batches whose manifest exists (`Lake.visible_batches`), so a publish killed before its
  manifest leaves a batch nobody sees; the next publish of it deletes what was left and writes
  it again whole. One writer per exports root (the pipeline's export step) is assumed.

A write that fails (disk full, no permission, an S3 error) raises an OSError naming the file it
was writing. The fault points (`export.file_written` after each data file, `export.staged` when
every file but the manifest's visibility is in place, `export.published`) are the same on both.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from exports.manifest import ExportedFile, render_manifest
from exports.safe_names import check_name
from sources.atomic import atomic_write_bytes, naming, sweep_stale_temps, temp_sibling
from sources.faults import fault_point
from sources.lake_fs import MANIFEST, Lake, join

FILE_MODE = 0o644
DIR_MODE = 0o755

# a local root (Path or str) or an s3:// URI, or the Lake that reaches it
Location = Lake | Path | str


@dataclass(frozen=True)
class PublishedBatch:
    export_id: str
    directory: Path | str  # a Path on local disk, the batch's s3:// URI on object storage
    files: list[ExportedFile]
    written: bool  # False when the same content had been published before


def exports_lake(root: Location) -> Lake:
    """The filesystem layer for an exports root (credentials for s3 from the AWS_* variables)."""
    return root if isinstance(root, Lake) else Lake.at(str(root))


def local_or_uri(lake: Lake, location: str) -> Path | str:
    """What callers show and open: a Path on local disk, the s3:// URI otherwise."""
    return location if lake.endpoint is not None else Path(location)


def content_id(kind: str, files: list[ExportedFile]) -> str:
    digest = hashlib.sha256(kind.encode())
    for f in sorted(files, key=lambda f: f.name):
        digest.update(f.name.encode() + b"\0" + f.sha256.encode())
    return digest.hexdigest()[:16]


def published_dirs(root: Location, kind: str) -> list[str]:
    """The locations of the published batches of `kind` (those whose manifest exists), sorted;
    never a temp directory being written, never a batch whose publish was cut short."""
    lake = exports_lake(root)
    return lake.visible_batches(lake.uri(kind))


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
    root: Location, kind: str, files: list[ExportedFile], extra: dict, export_id: str | None = None
) -> PublishedBatch:
    """Publish under `export_id` (default: the hash of the files' names and contents)."""
    export_id = check_name(export_id or f"{kind}-{content_id(kind, files)}")
    for f in files:
        check_name(f.name)
    lake = exports_lake(root)
    kind_location = lake.uri(check_name(kind))
    written = publish_files(
        lake,
        kind_location,
        export_id,
        {f.name: f.payload for f in files},
        lambda: render_manifest(export_id, kind, files, extra),
    )
    return PublishedBatch(
        export_id, local_or_uri(lake, join(kind_location, export_id)), files, written
    )


def publish_files(
    lake: Lake,
    kind_location: str,
    batch_id: str,
    files: Mapping[str, bytes],
    manifest: bytes | Callable[[], bytes],
) -> bool:
    """Publish `files` and the manifest as batch `batch_id` under `kind_location`; False when it
    was already published (its manifest exists), True when published now. `manifest` may be a
    function, called only when the batch is written."""
    batch = join(kind_location, batch_id)
    if lake.exists(join(batch, MANIFEST)):
        return False
    render = manifest if callable(manifest) else lambda: manifest
    if lake.endpoint is None:
        _publish_by_rename(Path(lake.root), Path(batch), files, render)
    else:
        _publish_manifest_last(lake, batch, files, render)
    return True


def _publish_by_rename(root: Path, target: Path, files: Mapping[str, bytes], render) -> None:
    ensure_dirs(root, *[p for p in reversed(target.parents) if root in p.parents])
    sweep_stale_temps(target.parent)
    if target.exists():  # no manifest (checked by the caller): invisible, replaced whole
        with naming(target):
            shutil.rmtree(target)
    staging = temp_sibling(target)
    try:
        with naming(target):
            staging.mkdir()
        for name, payload in files.items():
            write_file(staging / name, payload, target / name)
            fault_point("export.file_written")
        write_file(staging / MANIFEST, render(), target / MANIFEST)
        with naming(target):
            os.chmod(staging, DIR_MODE)
            fault_point("export.staged")
            os.rename(staging, target)  # atomic: readers see the whole batch or none of it
            fsync_dir(target.parent)
        fault_point("export.published")
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _publish_manifest_last(lake: Lake, batch: str, files: Mapping[str, bytes], render) -> None:
    # what a publish cut short left: invisible (no manifest), replaced whole
    with naming(batch):
        lake.delete_under(batch)
    for name, payload in files.items():
        location = join(batch, name)
        with naming(location):
            lake.write_bytes(location, payload)
        fault_point("export.file_written")
    fault_point("export.staged")
    location = join(batch, MANIFEST)
    with naming(location):
        lake.write_bytes(location, render())  # last: the batch becomes visible whole
    fault_point("export.published")


def replace_file(root: Location, location: str, payload: bytes, mode: int = FILE_MODE) -> bool:
    """Write a file that is replaced as a whole when its content changes (the close report and
    page, the ledger's copy in the lake); True when written, False when unchanged. Local: a temp
    file renamed over it, directories DIR_MODE; s3: one PUT, which replaces an object atomically."""
    lake = exports_lake(root)
    if lake.exists(location) and lake.read_bytes(location) == payload:
        return False
    if lake.endpoint is not None:
        with naming(location):
            lake.write_bytes(location, payload)
        return True
    target, base = Path(location), Path(lake.root)
    ensure_dirs(base, *[p for p in reversed(target.parents) if base in p.parents])
    sweep_stale_temps(target.parent)
    atomic_write_bytes(target, payload, mode=mode)
    return True


def fsync_dir(directory: Path) -> None:
    """Make a rename in `directory` durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
