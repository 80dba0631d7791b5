"""`u2c exports list` and `u2c exports show BATCH`: the published batches from their manifests,
each file checked against the bytes stored (exports/inventory.py), under the exports root (a
local path or s3:// URI, Settings.exports_uri); a batch whose publish was cut short is not shown."""

from __future__ import annotations

from decimal import Decimal

from exports.inventory import Batch, find_batch, list_batches
from exports.publish import Location
from orchestration.errors import UserError
from orchestration.tables import Section, exact
from sources.lake_fs import join


def _checked(batch: Batch) -> str:
    checks = batch.verify()
    bad = [c for c in checks if c.status != "ok"]
    if not bad:
        return "ok"
    counts: dict[str, int] = {}
    for c in bad:
        counts[c.status] = counts.get(c.status, 0) + 1
    return ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))


def list_view(exports_root: Location) -> list[Section]:
    rows = [
        {
            "export_id": b.export_id,
            "kind": b.kind,
            "sequence": b.manifest.get("export_sequence"),
            "mode": b.manifest.get("export_mode"),
            "periods": b.manifest.get("periods"),
            "files": len(b.files),
            "rows": b.rows,
            "journals": b.manifest.get("journals"),
            "manifest_check": _checked(b),
            "directory": str(b.directory),
        }
        for b in list_batches(exports_root)
    ]
    return [
        Section(
            "batches",
            f"export batches under {exports_root}",
            rows,
            [
                "export_id",
                "kind",
                "sequence",
                "periods",
                "files",
                "rows",
                "journals",
                "manifest_check",
            ],
            empty="no export batch published yet (`u2c run` publishes them)",
        )
    ]


def show_view(exports_root: Location, export_id: str) -> tuple[list[Section], bool]:
    """The batch's files with their control totals and checks; True when every file matches."""
    batch = find_batch(exports_root, export_id)
    if batch is None:
        known = [b.export_id for b in list_batches(exports_root)]
        hint = f"known: {', '.join(known)}" if known else "none is published yet"
        raise UserError(f"no export batch {export_id!r} under {exports_root}; {hint}")
    checks = {c.file: c for c in batch.verify()}
    files = [
        {
            "file": f["file"],
            "format": f.get("format"),
            "legal_entity": f.get("legal_entity"),
            "posting_period": f.get("posting_period"),
            "rows": f.get("rows"),
            "journals": f.get("journals"),
            "totals": f.get("totals", {}),
            # the table's short form: transaction-currency totals (functional ones in --format)
            "control_totals": "; ".join(
                f"{key} {exact(Decimal(value))}"
                for key, value in sorted(f.get("totals", {}).items())
                if not key.startswith("functional_")
            ),
            "sha256": f.get("sha256"),
            "bytes": f.get("bytes"),
            "on_disk": checks[f["file"]].status,
            "sha256_on_disk": checks[f["file"]].sha256_on_disk,
            "path": join(str(batch.directory), f["file"]),
        }
        for f in batch.files
    ]
    header = {key: value for key, value in batch.manifest.items() if key != "files"} | {
        "directory": str(batch.directory)
    }
    intact = all(c.status == "ok" for c in checks.values())
    bad = sum(c.status != "ok" for c in checks.values())
    return [
        Section(
            "batch",
            f"export batch {batch.export_id}",
            [header],
            [
                c
                for c in (
                    "export_id",
                    "kind",
                    "export_sequence",
                    "export_mode",
                    "periods",
                    "directory",
                )
                if c in header
            ],
        ),
        Section(
            "files",
            "files (control totals and sha256 from the manifest; on_disk: the file checked now)",
            files,
            [
                "file",
                "legal_entity",
                "posting_period",
                "rows",
                "journals",
                "control_totals",
                "sha256",
                "on_disk",
            ],
            notes=[
                "every file matches its manifest"
                if intact
                else f"{bad} file(s) do NOT match the manifest: do not load this batch as it is"
            ],
        ),
    ], intact
