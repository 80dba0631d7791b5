"""The export ledger's schema and its copy in the lake.

Every published journal batch keeps `ledger.parquet`: every line it sent, under which External ID
and ERP line, in which files. That record stays in the batch directory; a copy of each batch's
ledger goes to `lake/_ledger/export_ledger/<batch id>.parquet` (written once, atomically, like
everything in the lake), where the warehouse reads what was sent to reconcile it with what the
ERP extract posted (dbt source `exports.export_ledger`, mart `rec_exports_erp`), and where a replay
finds it beside the rest of the lake. `_schema.parquet` there (no rows) lets the warehouse read
the ledger before anything was exported.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from exports.publish import published_dirs
from sources.atomic import atomic_path

KIND = "journals"
LEDGER_FILE = "ledger.parquet"
MANIFEST = "manifest.json"
SCHEMA_FILE = "_schema.parquet"
MONEY = pa.decimal128(38, 9)

LEDGER_SCHEMA = pa.schema(
    [
        ("export_sequence", pa.int64()),
        ("export_batch_id", pa.string()),
        ("export_mode", pa.string()),
        ("external_id", pa.string()),
        ("journal_id", pa.string()),
        ("line_number", pa.int32()),
        ("journal_kind", pa.string()),
        ("reverses_external_id", pa.string()),
        ("source_type", pa.string()),
        ("legal_entity", pa.string()),
        ("posting_period", pa.string()),
        ("posting_date", pa.date32()),
        ("original_date", pa.date32()),
        ("account", pa.string()),
        ("department", pa.string()),
        ("class", pa.string()),
        ("location", pa.string()),
        ("memo", pa.string()),
        ("name", pa.string()),
        ("currency", pa.string()),
        ("minor_units", pa.int32()),
        ("exchange_rate", pa.decimal128(38, 12)),
        ("debit", MONEY),
        ("credit", MONEY),
        ("functional_currency", pa.string()),
        ("functional_minor_units", pa.int32()),
        ("functional_debit", MONEY),
        ("functional_credit", MONEY),
        ("source_system", pa.string()),
        ("source_id", pa.string()),
        ("source_line_id", pa.string()),
        ("business_transaction_id", pa.string()),
        ("batch_id", pa.string()),
        ("erp_external_id", pa.string()),
        ("erp_line_number", pa.int32()),
        # the date the batch was cut at (its watermark, the files' creation date): what a line
        # the ERP has not posted is aged from (rec_exports_erp)
        ("export_date", pa.date32()),
        ("canonical_csv_file", pa.string()),
        ("canonical_parquet_file", pa.string()),
        ("netsuite_file", pa.string()),
        ("fbdi_file", pa.string()),
    ]
)


def ensure_mirror_schema(mirror: Path) -> None:
    """An empty Parquet file of the ledger's schema in the mirror (replaced when it changed)."""
    target = mirror / SCHEMA_FILE
    if target.exists() and pq.read_schema(target).equals(LEDGER_SCHEMA):
        return
    with atomic_path(target) as staging:
        pq.write_table(LEDGER_SCHEMA.empty_table(), staging)


def mirror_ledgers(exports_root: Path, mirror: Path) -> list[Path]:
    """Copy the ledger of every published batch the mirror lacks; return the copies written.
    A batch is published once its manifest exists (the directory is renamed into place whole)."""
    ensure_mirror_schema(mirror)
    written = []
    for batch in published_dirs(exports_root, KIND):
        ledger = batch / LEDGER_FILE
        target = mirror / f"{batch.name}.parquet"
        if target.exists() or not ledger.exists() or not (batch / MANIFEST).exists():
            continue
        with atomic_path(target) as staging:
            shutil.copyfile(ledger, staging)
        written.append(target)
    return written
