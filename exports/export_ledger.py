"""The export ledger's schema and its copy in the lake.

Every published journal batch keeps `ledger.parquet`: every line it sent, under which External
ID and ERP line, in which files. That record stays in the batch directory; a copy of each
batch's ledger goes to `<lake>/_ledger/export_ledger/<batch id>.parquet` (written once, whole,
like everything in the lake; the lake and the exports are local paths or s3:// URIs), where the
warehouse reads what was sent to reconcile it with what the ERP extract posted (dbt source
`exports.export_ledger`, mart `rec_exports_erp`), and where a replay finds it beside the rest of
the lake. `_schema.parquet` there (no rows) lets the warehouse read the ledger before anything
was exported.
"""

from __future__ import annotations

import io

import pyarrow as pa
import pyarrow.parquet as pq

from exports.publish import Location, exports_lake, published_dirs, replace_file
from sources.lake_fs import join

KIND = "journals"
LEDGER_FILE = "ledger.parquet"
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


def ensure_mirror_schema(mirror: Location) -> None:
    """An empty Parquet file of the ledger's schema in the mirror (replaced when it changed)."""
    lake = exports_lake(mirror)
    target = lake.uri(SCHEMA_FILE)
    if lake.exists(target) and lake.read_parquet(target).schema.equals(LEDGER_SCHEMA):
        return
    buffer = io.BytesIO()
    pq.write_table(LEDGER_SCHEMA.empty_table(), buffer)
    replace_file(lake, target, buffer.getvalue())


def mirror_ledgers(exports_root: Location, mirror: Location) -> list[str]:
    """Copy the ledger of every published batch the mirror lacks; return the copies written.
    Only published batches (their manifest exists) are read, so a copy is never of a batch
    whose publish was cut short."""
    exports, lake = exports_lake(exports_root), exports_lake(mirror)
    ensure_mirror_schema(lake)
    written = []
    for batch in published_dirs(exports, KIND):
        ledger = join(batch, LEDGER_FILE)
        target = lake.uri(f"{batch.rsplit('/', 1)[1]}.parquet")
        if lake.exists(target) or not exports.exists(ledger):
            continue
        replace_file(lake, target, exports.read_bytes(ledger))
        written.append(target)
    return written
