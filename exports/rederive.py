"""Re-derive published ERP batches from a rebuilt warehouse and compare them byte for byte.

For each published batch touching the replayed periods, in export order: the ledger as it was
before that batch, the journals of the rebuilt warehouse, the batch's own mode, period filter and
watermark give the batch again; its files are compared with the published ones by sha256.
Nothing is published: the re-derived files go to a scratch directory for inspection. A
difference means the lake holds data for that period that arrived after the batch was sent
(the next export sends it as a correction), or a change in the derivation rules.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from exports.erp_journals import KIND, Watermark, derive_batch, read_ledger
from exports.publish import Location, exports_lake, published_dirs
from sources.lake_fs import MANIFEST, join


@dataclass(frozen=True)
class FileComparison:
    export_batch_id: str
    file: str
    published_sha256: str | None
    rederived_sha256: str | None

    @property
    def identical(self) -> bool:
        return self.published_sha256 is not None and (
            self.published_sha256 == self.rederived_sha256
        )


def published_manifests(exports_root: Location) -> list[dict]:
    """The manifests of the published journal batches (a batch cut short has none)."""
    lake = exports_lake(exports_root)
    paths = [join(d, MANIFEST) for d in published_dirs(lake, KIND)]
    manifests = [json.loads(lake.read_bytes(p)) for p in paths]
    return sorted(manifests, key=lambda m: m["export_sequence"])


def rederive_batches(
    warehouse: Path, exports_root: Location, periods: set[str], scratch: Path
) -> list[FileComparison]:
    """`exports_root` is a local path or s3:// URI; `scratch` is local (for inspection)."""
    exports_root = exports_lake(exports_root)
    ledger = read_ledger(exports_root)
    comparisons: list[FileComparison] = []
    for manifest in published_manifests(exports_root):
        if not set(manifest["periods"]) & periods:
            continue
        sequence = manifest["export_sequence"]
        derived = derive_batch(
            warehouse,
            [row for row in ledger if row["export_sequence"] < sequence],
            mode=manifest["export_mode"],
            periods=manifest["period_filter"],
            watermark=Watermark(**manifest["watermark"]),
        )
        published = {f["file"]: f["sha256"] for f in manifest["files"]}
        rederived = {}
        if derived is not None:
            target = scratch / derived.export_batch_id
            target.mkdir(parents=True, exist_ok=True)
            for f in derived.files:
                (target / f.name).write_bytes(f.payload)
                rederived[f.name] = hashlib.sha256(f.payload).hexdigest()
        comparisons += [
            FileComparison(manifest["export_id"], name, published.get(name), rederived.get(name))
            for name in sorted(published.keys() | rederived.keys())
        ]
    return comparisons
