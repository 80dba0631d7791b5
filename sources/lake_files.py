"""Where landing writes in the lake, and the schemas of its bookkeeping tables: the quarantine
and the landing ledger (one row per landed batch, written last: it marks the batch landed)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from exports.export_ledger import LEDGER_SCHEMA as EXPORT_LEDGER_SCHEMA
from exports.export_ledger import SCHEMA_FILE
from sources.contract import TIMESTAMP
from sources.landing_site import LandingSite
from sources.table_contract import LINEAGE_FIELDS, TableContract

QUARANTINE_SCHEMA = pa.schema(
    [
        pa.field("system", pa.string(), nullable=False),
        pa.field("source_table", pa.string(), nullable=False),
        pa.field("file_name", pa.string(), nullable=False),
        pa.field("line_number", pa.int64(), nullable=False),
        pa.field("batch_id", pa.string(), nullable=False),
        pa.field("reason_code", pa.string(), nullable=False),
        pa.field("reason_class", pa.string(), nullable=False),
        pa.field("reason_detail", pa.string(), nullable=False),
        pa.field("payload", pa.string(), nullable=False),
        pa.field("landed_at", TIMESTAMP, nullable=False),
    ]
)

LEDGER_SCHEMA = pa.schema(
    [
        pa.field("system", pa.string(), nullable=False),
        pa.field("source_table", pa.string(), nullable=False),
        pa.field("file_name", pa.string(), nullable=False),
        pa.field("file_sha256", pa.string(), nullable=False),
        pa.field("batch_id", pa.string(), nullable=False),
        pa.field("rows_read", pa.int64(), nullable=False),
        pa.field("rows_landed", pa.int64(), nullable=False),
        pa.field("rows_quarantined", pa.int64(), nullable=False),
        # The file's modification time in the inbox: when the extract was delivered.
        pa.field("file_delivered_at", TIMESTAMP, nullable=False),
        pa.field("landed_at", TIMESTAMP, nullable=False),
    ]
)


def batch_id_for(contract: TableContract, file_sha256: str) -> str:
    return f"{contract.system}-{contract.table}-{file_sha256[:20]}"


def ledger_path(lake: Path, batch_id: str) -> Path:
    return lake / "_ledger" / "landing_batches" / f"{batch_id}.parquet"


def ensure_schema_files(lake: Path | LandingSite, contracts: list[TableContract]) -> None:
    """Keep one empty Parquet per table, so the warehouse can read a table with no batch yet
    (on a local lake or, through its site, on s3://)."""
    site = LandingSite.of(lake)
    targets = []
    for c in contracts:
        targets.append((c.lake_schema, f"raw/{c.system}/{c.table}/_schema.parquet"))
        for name, schema in c.children.items():
            child_schema = pa.schema(list(schema) + LINEAGE_FIELDS)
            targets.append((child_schema, f"raw/{c.system}/{name}/_schema.parquet"))
    targets.append((QUARANTINE_SCHEMA, "quarantine/_schema.parquet"))
    targets.append((LEDGER_SCHEMA, "_ledger/landing_batches/_schema.parquet"))
    # what the ERP exports sent (exports/export_ledger.py): readable before the first export
    targets.append((EXPORT_LEDGER_SCHEMA, f"_ledger/export_ledger/{SCHEMA_FILE}"))
    for schema, target in targets:
        existing = site.read_schema(target)
        if existing is None or not existing.equals(schema):
            site.write_parquet(target, schema.empty_table())
