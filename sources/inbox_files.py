"""The files of an inbox, each with the contract that claims it, in delivery order.

Delivery order: a run takes its files by delivery time (the file's modification time, recorded
as `file_delivered_at`), then by name, so within a run the first delivery of an event is also
the first landed (landed_at follows delivery), whatever the file names. A re-delivery named
`events_2026-08-redelivery.jsonl` lands after the `events_2026-08.jsonl` it repeats when it was
delivered after it."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from sources.contract import schema_error
from sources.table_contract import TableContract


def inbox_files(inbox: Path, contracts: list[TableContract]) -> list[tuple[Path, TableContract]]:
    """Every file under inbox/<system>/ with its contract, in delivery order; a file no
    contract claims (or dropped in the inbox root) gets `unknown_kind`, never skipped."""
    if not inbox.is_dir():
        return []
    # a file dropped in the inbox root belongs to no system: quarantined, never skipped
    files = [
        (path, unknown_kind("inbox"))
        for path in inbox.iterdir()
        if path.is_file() and not path.name.startswith(".")
    ]
    for folder in sorted(p for p in inbox.iterdir() if p.is_dir() and not p.name.startswith(".")):
        claims = [c for c in contracts if c.system == folder.name]
        for path in folder.iterdir():
            if not path.is_file() or path.name.startswith("."):
                continue
            contract = next((c for c in claims if c.matches(path)), None) or unknown_kind(
                folder.name
            )
            files.append((path, contract))
    files.sort(key=lambda job: delivery_order(job[0], inbox))
    return files


def delivery_order(path: Path, inbox: Path) -> tuple[int, str, str]:
    """When the file was delivered (its modification time, what the ledger records as
    file_delivered_at), then its name, then its folder: the order a run lands its files in."""
    return (path.stat().st_mtime_ns, path.name, str(path.relative_to(inbox)))


def unknown_kind(system: str) -> TableContract:
    """A stand-in contract for a file no contract claims: the whole file is one rejected unit."""

    def reader(path: Path):
        with open(path, "rb") as fh:
            head = fh.read(2000).decode("utf-8", "backslashreplace")
        yield (
            0,
            schema_error("unknown_file_kind", f"no contract of {system!r} claims {path.name!r}"),
            head,
        )

    return TableContract(
        system, "unknown", pa.schema([]), validate=lambda r: {}, reader=reader, suffixes=("",)
    )
