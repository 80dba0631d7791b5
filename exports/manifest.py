"""manifest.json: what an export batch contains, so finance can check a file before loading it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class ExportedFile:
    name: str
    payload: bytes
    rows: int
    totals: dict[str, Decimal] = field(default_factory=dict)
    attributes: dict = field(default_factory=dict)  # e.g. format, legal entity, period, journals

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.payload).hexdigest()

    def describe(self) -> dict:
        return {
            "file": self.name,
            "sha256": self.sha256,
            "bytes": len(self.payload),
            "rows": self.rows,
            "totals": {key: format(value, "f") for key, value in sorted(self.totals.items())},
            **self.attributes,
        }


def render_manifest(export_id: str, kind: str, files: list[ExportedFile], extra: dict) -> bytes:
    document = {
        "export_id": export_id,
        "kind": kind,
        "files": [f.describe() for f in files],
        **extra,
    }
    return (json.dumps(document, indent=2, sort_keys=True) + "\n").encode("utf-8")
