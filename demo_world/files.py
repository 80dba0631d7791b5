"""Writing inbox files: JSON lines and CSV, atomically, stamped with their delivery time."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from sources.atomic import atomic_path


def deliver(path: Path, moment: datetime) -> None:
    """Make the file readable to all and set its modification time (naive UTC `moment`):
    when it was delivered, which landing records as the batch's delivery time."""
    os.chmod(path, 0o644)
    stamp = moment.replace(tzinfo=UTC).timestamp()
    os.utime(path, (stamp, stamp))


def write_jsonl(path: Path, objects: Iterable[dict], delivered_at: datetime) -> Path:
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as fh:
        for obj in objects:
            fh.write(json.dumps(obj, separators=(",", ":"), ensure_ascii=False))
            fh.write("\n")
    deliver(path, delivered_at)
    return path


def write_csv(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[object]], delivered_at: datetime
) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        if len(row) != len(header):
            raise ValueError(f"{path.name}: row has {len(row)} cells, header {len(header)}")
        writer.writerow(["" if cell is None else cell for cell in row])
    with atomic_path(path) as tmp:
        tmp.write_text(buffer.getvalue(), encoding="utf-8")
    deliver(path, delivered_at)
    return path
