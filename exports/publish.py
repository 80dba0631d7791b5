"""Publish export batches exactly once: a batch directory appears whole or not at all.

An export batch is named by the hash of its content; a batch whose directory exists was
already published and is never rewritten, so a rerun with nothing new writes nothing.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from exports.manifest import ExportedFile, render_manifest

MANIFEST = "manifest.json"


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


def publish_batch(
    root: Path, kind: str, files: list[ExportedFile], extra: dict, export_id: str | None = None
) -> PublishedBatch:
    """Publish under `export_id` (default: the hash of the files' names and contents)."""
    export_id = export_id or f"{kind}-{content_id(kind, files)}"
    target = root / kind / export_id
    if (target / MANIFEST).exists():
        return PublishedBatch(export_id, target, files, written=False)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{export_id}.", dir=target.parent))
    try:
        for f in files:
            (staging / f.name).write_bytes(f.payload)
        (staging / MANIFEST).write_bytes(render_manifest(export_id, kind, files, extra))
        for path in staging.iterdir():
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
        os.rename(staging, target)  # atomic: readers see the whole batch or none of it
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return PublishedBatch(export_id, target, files, written=True)
