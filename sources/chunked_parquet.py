"""The Parquet files of a batch, written under a temp name and renamed into place on publish
(or handed to `put`: an upload to object storage, `sources/landing_site.py`)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from sources.atomic import naming, temp_sibling
from sources.faults import fault_point

# Rows buffered (as Python rows, the row path) before a chunk is written.
CHUNK_ROWS = 100_000


class ChunkedParquet:
    """Stream rows into a temp Parquet file in bounded chunks; visible only after `publish`."""

    def __init__(
        self,
        target: Path,
        schema: pa.Schema,
        put: Callable[[Path, Path], None] | None = None,
        unique_columns: tuple[str, ...] = (),
    ) -> None:
        """`unique_columns`: columns whose values (nearly) all differ, written without a
        dictionary: it cannot shrink them, and building it then falling back costs time and
        space (the values are the same either way)."""
        self.target, self.schema, self.put = target, schema, put
        self._options = {
            "compression": "zstd",
            # page CRCs: a deep lake check (sources/lake_check.py) finds a flipped bit too
            "write_page_checksum": True,
            "use_dictionary": [n for n in schema.names if n not in unique_columns],
        }
        self.tmp = temp_sibling(target)
        with naming(target):
            target.parent.mkdir(parents=True, exist_ok=True)
            self._writer: pq.ParquetWriter | None = pq.ParquetWriter(
                self.tmp, schema, **self._options
            )
        self._rows: list[dict] = []
        self.count = 0

    def add(self, row: dict) -> None:
        self._rows.append(row)
        self.count += 1
        if len(self._rows) >= CHUNK_ROWS:
            self._flush()

    def _flush(self) -> None:
        if self._rows and self._writer is not None:
            with naming(self.target):
                self._writer.write_table(pa.Table.from_pylist(self._rows, schema=self.schema))
            self._rows = []

    def add_table(self, table: pa.Table) -> None:
        self._flush()
        if self._writer is not None:
            with naming(self.target):
                self._writer.write_table(table.select(self.schema.names).cast(self.schema))
            self.count += table.num_rows

    def close(self) -> None:
        self._flush()
        if self._writer is not None:
            with naming(self.target):
                self._writer.close()
            self._writer = None

    def drop_lines(self, line_numbers: set[int]) -> None:
        """Rewrite the closed temp file without the given lines (rare: conflicts only), one
        row group at a time, so memory stays bounded however big the file."""
        drop = pa.array(sorted(line_numbers), pa.int64())
        rewritten = self.tmp.with_name(f"{self.tmp.name}.rewrite")
        count = 0
        try:
            source = pq.ParquetFile(self.tmp)
            with pq.ParquetWriter(rewritten, self.schema, **self._options) as writer:
                for index in range(source.num_row_groups):
                    part = source.read_row_group(index)
                    part = part.filter(pc.invert(pc.is_in(part["line_number"], value_set=drop)))
                    writer.write_table(part.cast(self.schema))
                    count += part.num_rows
            source.close()
            os.replace(rewritten, self.tmp)
        finally:
            rewritten.unlink(missing_ok=True)
        self.count = count

    def publish(self) -> None:
        """Rename into place (or `put` it) if anything was written; else leave nothing behind."""
        self.close()
        if self.count and self.put is not None:
            fault_point("lake.rename")
            with naming(self.target):
                self.put(self.tmp, self.target)
        elif self.count:
            with naming(self.target):
                with open(self.tmp, "rb") as fh:
                    os.fsync(fh.fileno())
                fault_point("lake.rename")
                os.replace(self.tmp, self.target)
        else:
            self.tmp.unlink(missing_ok=True)

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            self.close()
        self.tmp.unlink(missing_ok=True)
