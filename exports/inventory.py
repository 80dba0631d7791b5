"""What the exports directory holds: every published batch with its manifest, and whether the
files on disk still are what the manifest says (sha256 and size), for finance before a load."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from exports.publish import MANIFEST


@dataclass(frozen=True)
class FileCheck:
    file: str
    status: str  # ok | missing | changed
    sha256_on_disk: str | None


@dataclass(frozen=True)
class Batch:
    kind: str
    export_id: str
    directory: Path
    manifest: dict

    @property
    def files(self) -> list[dict]:
        return self.manifest.get("files", [])

    @property
    def rows(self) -> int:
        return sum(int(f.get("rows", 0)) for f in self.files)

    def verify(self) -> list[FileCheck]:
        """Each file of the manifest against the bytes on disk."""
        checks = []
        for described in self.files:
            path = self.directory / described["file"]
            if not path.is_file():
                checks.append(FileCheck(described["file"], "missing", None))
                continue
            digest = sha256_of(path)
            same = digest == described.get("sha256") and path.stat().st_size == described.get(
                "bytes", path.stat().st_size
            )
            checks.append(FileCheck(described["file"], "ok" if same else "changed", digest))
        return checks


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def list_batches(exports_root: Path) -> list[Batch]:
    """Every published batch (`<kind>/<export id>/manifest.json`), oldest sequence first; a
    batch directory is published whole by one rename, so a manifest means a complete batch."""
    batches = []
    for manifest in sorted(exports_root.glob(f"*/*/{MANIFEST}")):
        if manifest.parent.name.startswith("."):
            continue  # a batch still being staged
        document = json.loads(manifest.read_text())
        batches.append(
            Batch(
                kind=document.get("kind", manifest.parent.parent.name),
                export_id=document.get("export_id", manifest.parent.name),
                directory=manifest.parent,
                manifest=document,
            )
        )
    return sorted(
        batches, key=lambda b: (b.kind, b.manifest.get("export_sequence", 0), b.export_id)
    )


def find_batch(exports_root: Path, export_id: str) -> Batch | None:
    return next((b for b in list_batches(exports_root) if b.export_id == export_id), None)
