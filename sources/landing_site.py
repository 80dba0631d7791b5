"""Where landing writes: a local lake directory, or a lake on object storage (s3://).

Landing stages every file as temp Parquet in a local directory (`local`) and then publishes it:
  - a local lake stages beside its targets and renames into place (`local` is the lake itself),
    exactly as before;
  - an s3:// lake (`remote`) stages under a local scratch directory of the data dir, never
    under the lake, mirroring the lake's layout; publishing uploads each file to its final key
    (one PUT: atomic per object) and removes the temp file. S3 has no rename, so a batch
    becomes visible by its ledger row `_ledger/landing_batches/<batch>.parquet`, uploaded LAST:
    readers of the lake (dbt's sources through the ledger, `lake_check`, recovery) treat a batch
    without it as not landed, and recovery (`sources/lake_recovery.py`) deletes its objects.
The lock and the temp files stay local either way (`local`): landing is single-writer per lake.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from sources.atomic import atomic_path, atomic_write_bytes
from sources.lake_fs import Lake, is_s3

LEDGER_DIR = "_ledger/landing_batches"


class StagingDirRequired(ValueError):
    """An s3:// lake was given without a local directory to stage its files in."""


@dataclass(frozen=True)
class LandingSite:
    local: Path  # the lake itself, or (s3) the local scratch directory files are staged in
    remote: Lake | None = None

    @classmethod
    def of(cls, lake: Path | str | LandingSite, staging: Path | None = None) -> LandingSite:
        """The site of a lake given as a local path, an s3:// URI (staged under `staging`) or
        a site already."""
        if isinstance(lake, LandingSite):
            return lake
        if isinstance(lake, str) and is_s3(lake):
            if staging is None:
                raise StagingDirRequired(f"landing into {lake} needs a local staging directory")
            return cls(Path(staging), Lake.at(lake))
        return cls(Path(lake))

    @property
    def where(self) -> str:
        """The lake's location, for messages."""
        return self.remote.root if self.remote is not None else str(self.local)

    def uri(self, relative: str) -> str:
        """The lake location of a path relative to the lake's root."""
        return self.remote.uri(relative) if self.remote is not None else str(self.local / relative)

    def relative(self, path: Path) -> str:
        """A staged (or, locally, landed) path relative to the lake's root."""
        return path.relative_to(self.local).as_posix()

    def exists(self, relative: str) -> bool:
        if self.remote is None:
            return (self.local / relative).exists()
        return self.remote.exists(self.remote.uri(relative))

    def is_landed(self, batch_id: str) -> bool:
        return self.exists(f"{LEDGER_DIR}/{batch_id}.parquet")

    def publish(self, tmp: Path, target: Path) -> None:
        """Make the staged `tmp` the lake's file at `target` (a path under `local`)."""
        if self.remote is None:
            os.replace(tmp, target)
            return
        self.remote.upload(tmp, self.remote.uri(self.relative(target)))
        tmp.unlink(missing_ok=True)

    def remove(self, location: Path | str) -> None:
        """Delete a landed file: a local path, or an s3:// URI."""
        if self.remote is None:
            Path(location).unlink(missing_ok=True)
        else:
            self.remote.delete_file(str(location))

    def write_parquet(self, relative: str, table: pa.Table) -> None:
        """Write one whole Parquet file at once: a reader sees the old one or the new one."""
        if self.remote is None:
            with atomic_path(self.local / relative) as tmp:
                pq.write_table(table, tmp)
        else:
            self.remote.write_parquet(self.remote.uri(relative), table)

    def read_schema(self, relative: str) -> pa.Schema | None:
        if not self.exists(relative):
            return None
        if self.remote is None:
            return pq.read_schema(self.local / relative)
        with self.remote.open_input_file(self.remote.uri(relative)) as source:
            return pq.read_schema(source)  # the footer only, not the file

    def read_json(self, relative: str) -> object:
        """The JSON document at `relative`; OSError or ValueError when missing or unreadable."""
        if self.remote is None:
            return json.loads((self.local / relative).read_text())
        return json.loads(self.remote.read_bytes(self.remote.uri(relative)))

    def write_bytes(self, relative: str, payload: bytes) -> None:
        if self.remote is None:
            atomic_write_bytes(self.local / relative, payload)
        else:
            self.remote.write_bytes(self.remote.uri(relative), payload)

    def parquet_files(self, relative: str) -> list[str]:
        """The landed Parquet files under `relative` (recursively), hidden and `_` files aside:
        local paths, or s3:// URIs DuckDB reads through httpfs (`prepare`)."""
        if self.remote is None:
            root = self.local / relative
            return [str(p) for p in root.rglob("*.parquet") if not p.name.startswith(("_", "."))]
        return [
            f
            for f in self.remote.files(self.remote.uri(relative), "*.parquet")
            if not f.rsplit("/", 1)[1].startswith(("_", "."))
        ]

    def prepare(self, con) -> None:
        """Let a DuckDB connection read the lake (s3: httpfs and the secret)."""
        if self.remote is not None:
            self.remote.let_duckdb_read(con)
