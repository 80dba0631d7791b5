"""What the exports root holds: every published batch with its manifest, and whether the
files stored still are what the manifest says (sha256 and size), for finance before a load.
The root is a local path or an s3:// URI, read through the filesystem layer; only published
batches (manifest present) are listed."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from exports.publish import Location, exports_lake, local_or_uri
from sources.lake_fs import MANIFEST, Lake, join


@dataclass(frozen=True)
class FileCheck:
    file: str
    status: str  # ok | missing | changed
    sha256_on_disk: str | None


@dataclass(frozen=True)
class Batch:
    kind: str
    export_id: str
    directory: Path | str  # a Path on local disk, an s3:// URI on object storage
    manifest: dict
    lake: Lake | None = None  # the layer that reaches `directory` (default: the local disk)

    @property
    def files(self) -> list[dict]:
        return self.manifest.get("files", [])

    @property
    def rows(self) -> int:
        return sum(int(f.get("rows", 0)) for f in self.files)

    def verify(self) -> list[FileCheck]:
        """Each file of the manifest against the bytes stored."""
        lake = self.lake or exports_lake(self.directory)
        checks = []
        for described in self.files:
            location = join(str(self.directory), described["file"])
            if not lake.exists(location):
                checks.append(FileCheck(described["file"], "missing", None))
                continue
            digest, size = sha256_of(lake, location)
            same = digest == described.get("sha256") and size == described.get("bytes", size)
            checks.append(FileCheck(described["file"], "ok" if same else "changed", digest))
        return checks


def sha256_of(lake: Lake, location: str) -> tuple[str, int]:
    """The sha256 and size of a stored file, streamed."""
    digest, size = hashlib.sha256(), 0
    with lake.open_input_file(location) as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def list_batches(exports_root: Location) -> list[Batch]:
    """Every published batch (`<kind>/<export id>/manifest.json`), oldest sequence first; a
    batch is published whole (renamed into place, or its manifest written last), so a manifest
    means a complete batch."""
    lake = exports_lake(exports_root)
    kinds = {
        m[len(lake.root) + 1 :].split("/", 1)[0] for m in lake.files(lake.root, f"*/*/{MANIFEST}")
    }
    batches = []
    for kind in sorted(k for k in kinds if not k.startswith(".")):
        for batch in lake.visible_batches(lake.uri(kind)):
            document = json.loads(lake.read_bytes(join(batch, MANIFEST)))
            batches.append(
                Batch(
                    kind=document.get("kind", kind),
                    export_id=document.get("export_id", batch.rsplit("/", 1)[1]),
                    directory=local_or_uri(lake, batch),
                    manifest=document,
                    lake=lake,
                )
            )
    return sorted(
        batches, key=lambda b: (b.kind, b.manifest.get("export_sequence", 0), b.export_id)
    )


def find_batch(exports_root: Location, export_id: str) -> Batch | None:
    return next((b for b in list_batches(exports_root) if b.export_id == export_id), None)
