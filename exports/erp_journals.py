"""The ERP journal export: staged import files per format x legal entity x period, exactly once.

Reads `marts.journal_lines` from the warehouse, compares it with the export ledger (every line
ever sent, kept as `ledger.parquet` inside each published batch directory), plans the next batch
(new journals, and for a changed journal a reversal plus the corrected one:
`exports.journal_plan`), renders it in every format and publishes it whole, once
(`exports.publish`: a rename into place on local disk, the manifest written last on s3). The
batch id is the hash of its lines, and every date in the files comes from the data (the latest
delivery the warehouse has seen), so re-deriving a batch from the same lake gives the same
bytes. With nothing new, nothing is written.

The ledger in the batch directories is the record; the warehouse tables `exports.export_ledger`
and `exports.export_batches` are rebuilt from it after each batch for analysts.
"""

from __future__ import annotations

import io
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from exports.export_ledger import KIND, LEDGER_FILE, LEDGER_SCHEMA, MONEY, mirror_ledgers
from exports.formats import canonical, fbdi, netsuite
from exports.formats.lines import (
    EXPORT_LINE_KEYS,
    FileContext,
    UnsupportedCurrency,
    exact_sum,
)
from exports.journal_plan import Period, batch_id, ledger_state, plan_batch, summarize
from exports.manifest import ExportedFile
from exports.publish import Location, PublishedBatch, exports_lake, publish_batch, published_dirs
from exports.safe_names import name_part
from sources.lake_fs import MANIFEST, connect_warehouse, join

MODES = ("detail", "summary")

CURRENT_LINES_SQL = """
    select
        j.journal_id, j.line_number, j.source_type, j.legal_entity, j.posting_period,
        j.posting_date, j.original_date, j.account, j.department, j.class, j.location, j.memo,
        c.account_name as name, j.currency, tc.minor_units, j.exchange_rate, j.debit, j.credit,
        j.functional_currency, fc.minor_units as functional_minor_units, j.functional_debit,
        j.functional_credit, j.source_system, j.source_id, j.source_line_id,
        j.business_transaction_id, j.batch_id
    from marts.journal_lines as j
    left join marts.customers as c on j.crm_account_id = c.account_id
    left join main.currencies as tc on j.currency = tc.currency
    left join main.currencies as fc on j.functional_currency = fc.currency
    order by j.journal_id, j.line_number
"""


@dataclass(frozen=True)
class Watermark:
    """The newest source data the batch was derived from."""

    landing_batches: int
    last_delivered_at: str | None
    last_landed_at: str | None

    @property
    def as_of(self) -> date:
        return (
            date.fromisoformat(self.last_delivered_at[:10])
            if self.last_delivered_at
            else date(1970, 1, 1)
        )


@dataclass(frozen=True)
class JournalExport:
    batch: PublishedBatch | None  # None: nothing new to send
    lines: int
    journals: int
    reversals: int
    corrections: int
    skipped: dict[str, str]  # file → why it was not produced


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def read_periods(con: duckdb.DuckDBPyConnection) -> list[Period]:
    """The posting periods as the warehouse resolved them (int_posting_periods)."""
    return [
        Period(r[0], r[1], r[2], r[3], bool(r[4]), r[5], r[6])
        for r in con.execute(
            "select fiscal_period, start_date, end_date, posting_fiscal_period, "
            "is_posting_period_moved, moved_posting_date, period_name "
            "from intermediate.int_posting_periods order by start_date"
        ).fetchall()
    ]


def read_watermark(con: duckdb.DuckDBPyConnection) -> Watermark:
    count, delivered, landed = con.execute(
        "select count(*), max(file_delivered_at), max(landed_at) from marts.ops_landing_batches"
    ).fetchone()
    return Watermark(
        count,
        delivered.isoformat() if delivered else None,
        landed.isoformat() if landed else None,
    )


def published_ledgers(exports_root: Location) -> list[pa.Table]:
    """The ledger of every published batch (read through the exports' filesystem layer)."""
    lake = exports_lake(exports_root)
    files = [join(d, LEDGER_FILE) for d in published_dirs(lake, KIND)]
    return [lake.read_parquet(f) for f in files if lake.exists(f)]


def union_by_name(con: duckdb.DuckDBPyConnection, tables: list[pa.Table]) -> str:
    """A query over `tables` registered on `con`, their columns matched by name (a batch
    written before a column was added has it null), like read_parquet's union_by_name."""
    names = []
    for i, table in enumerate(tables):
        con.register(f"ledger_{i}", table)
        names.append(f"select * from ledger_{i}")
    return " union all by name ".join(names)


def read_ledger(exports_root: Location) -> list[dict]:
    tables = published_ledgers(exports_root)
    if not tables:
        return []
    with duckdb.connect() as con:
        return _rows(
            con,
            f"select * from ({union_by_name(con, tables)}) "
            "order by export_sequence, external_id, line_number",
        )


def _totals(lines: list[dict]) -> dict[str, Decimal]:
    parts: dict[str, list[Decimal]] = defaultdict(list)
    for line in lines:
        parts[f"debit.{line['currency']}"].append(line["debit"])
        parts[f"credit.{line['currency']}"].append(line["credit"])
        parts[f"functional_debit.{line['functional_currency']}"].append(line["functional_debit"])
        parts[f"functional_credit.{line['functional_currency']}"].append(line["functional_credit"])
    return {key: exact_sum(values) for key, values in parts.items()}


def _file(name: str, payload: bytes, lines: list[dict], fmt: str, entity: str, period: str):
    return ExportedFile(
        name,
        payload,
        len(lines),
        _totals(lines),
        {
            "format": fmt,
            "legal_entity": entity,
            "posting_period": period,
            "journals": len({line["external_id"] for line in lines}),
        },
    )


def ledger_payload(rows: list[dict]) -> bytes:
    table = pa.Table.from_pylist(
        [{f.name: row.get(f.name) for f in LEDGER_SCHEMA} for row in rows], schema=LEDGER_SCHEMA
    )
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue()


def render_batch(
    planned: list[dict],
    export_batch_id: str,
    sequence: int,
    mode: str,
    entities: dict[str, dict],
    period_names: dict[str, str],
    as_of: date,
) -> tuple[list[ExportedFile], list[dict], dict[str, str]]:
    """Every file of the batch, the ledger rows and the files that could not be produced."""
    files: list[ExportedFile] = []
    ledger: list[dict] = []
    skipped: dict[str, str] = {}
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for line in planned:
        groups[(line["legal_entity"], line["posting_period"])].append(line)
    for (entity, period), lines in sorted(groups.items()):
        # entity and period come from data: only plain, safe names reach the file system
        stem = f"{name_part(entity)}_{name_part(period)}"
        ctx = FileContext(
            export_batch_id=export_batch_id,
            legal_entity=entity,
            subsidiary=entities[entity]["legal_entity_name"],
            ledger_id=str(entities[entity]["subsidiary_id"]),
            ledger_name=entities[entity]["legal_name"],
            posting_period=period,
            period_name=period_names[period],
            created_date=as_of,
        )
        names = {
            "canonical_csv_file": f"canonical_{stem}.csv",
            "canonical_parquet_file": f"canonical_{stem}.parquet",
            "netsuite_file": f"netsuite_{stem}.csv",
            "fbdi_file": f"fbdi_{stem}.zip",
        }
        files.append(
            _file(
                names["canonical_csv_file"],
                canonical.render_csv(lines),
                lines,
                "canonical_csv",
                entity,
                period,
            )
        )
        files.append(
            _file(
                names["canonical_parquet_file"],
                canonical.render_parquet(lines),
                lines,
                "canonical_parquet",
                entity,
                period,
            )
        )
        if mode == "summary":
            erp_lines, drilldown = summarize(lines, export_batch_id)
            links = {(d["external_id"], d["line_number"]): d for d in drilldown}
        else:
            erp_lines, links = lines, {}
        # NetSuite derives functional amounts from the Exchange Rate and posts its own rounding,
        # so the functional-only rounding lines stay out of its file (they are in the others).
        netsuite_lines = [r for r in erp_lines if r["debit"] or r["credit"]]
        for key, fmt, renderer, rendered in (
            ("netsuite_file", "netsuite", netsuite.render, netsuite_lines),
            ("fbdi_file", "fbdi", fbdi.render, erp_lines),
        ):
            try:
                payload = renderer(rendered, ctx)
            except UnsupportedCurrency as error:  # a currency the format cannot carry
                skipped[names[key]] = str(error)
                names[key] = None
                continue
            files.append(_file(names[key], payload, rendered, fmt, entity, period))
        for line in lines:
            link = links.get((line["external_id"], line["line_number"]))
            ledger.append(
                {
                    **line,
                    **names,
                    "export_sequence": sequence,
                    "export_batch_id": export_batch_id,
                    "export_mode": mode,
                    "erp_external_id": link["erp_external_id"] if link else line["external_id"],
                    "erp_line_number": link["erp_line_number"] if link else line["line_number"],
                    "export_date": as_of,
                }
            )
    return files, ledger, skipped


@dataclass(frozen=True)
class DerivedBatch:
    """A batch planned and rendered, not yet published."""

    export_batch_id: str
    sequence: int
    mode: str
    period_filter: list[str] | None
    planned: list[dict]
    files: list[ExportedFile]
    skipped: dict[str, str]
    watermark: Watermark


def derive_batch(
    warehouse: Path,
    ledger: list[dict],
    *,
    mode: str = "detail",
    periods: list[str] | None = None,
    watermark: Watermark | None = None,
) -> DerivedBatch | None:
    """The next batch after `ledger` from the warehouse's journals; None when nothing is new.
    `watermark` pins the data's as-of date (a replay passes the one its manifest recorded)."""
    if mode not in MODES:
        raise ValueError(f"export mode must be one of {MODES}, not {mode!r}")
    with connect_warehouse(warehouse) as con:
        # every journal, whatever the period filter: one missing from the plan would look voided
        current = _rows(con, CURRENT_LINES_SQL)
        calendar = read_periods(con)
        watermark = watermark or read_watermark(con)
        entities = {r["legal_entity"]: r for r in _rows(con, "select * from marts.legal_entities")}
    planned = plan_batch(current, ledger_state(ledger), calendar)
    if periods is not None:
        planned = [line for line in planned if line["posting_period"] in periods]
    if not planned:
        return None
    export_batch_id = batch_id(planned, EXPORT_LINE_KEYS)
    sequence = max((int(r["export_sequence"]) for r in ledger), default=0) + 1
    files, ledger_rows, skipped = render_batch(
        planned,
        export_batch_id,
        sequence,
        mode,
        entities,
        {p.fiscal_period: p.name for p in calendar},
        watermark.as_of,
    )
    files.append(ExportedFile(LEDGER_FILE, ledger_payload(ledger_rows), len(ledger_rows)))
    return DerivedBatch(
        export_batch_id, sequence, mode, periods, planned, files, skipped, watermark
    )


def export_journals(
    warehouse: Path,
    exports_root: Location,
    *,
    mode: str = "detail",
    periods: list[str] | None = None,
    checks: dict | None = None,
    ledger_mirror: Location | None = None,
) -> JournalExport:
    """Plan, render and publish the next batch; refresh the warehouse's export tables; copy
    every batch's ledger the `ledger_mirror` (the lake's copy, exports.export_ledger) lacks.
    `exports_root` and `ledger_mirror` are local paths or s3:// URIs."""
    exports_root = exports_lake(exports_root)
    derived = derive_batch(warehouse, read_ledger(exports_root), mode=mode, periods=periods)
    if derived is None:
        # nothing new, but a run killed between its batch's rename and this refresh left the
        # warehouse's export tables (and the lake's ledger copy) behind the published batches
        refresh_warehouse_tables(warehouse, exports_root)
        if ledger_mirror is not None:
            mirror_ledgers(exports_root, ledger_mirror)
        return JournalExport(None, 0, 0, 0, 0, {})
    journals = {line["external_id"]: line["journal_kind"] for line in derived.planned}
    batch = publish_batch(
        exports_root,
        KIND,
        derived.files,
        {
            "export_sequence": derived.sequence,
            "export_mode": mode,
            "period_filter": periods,
            "periods": sorted({line["posting_period"] for line in derived.planned}),
            "watermark": derived.watermark.__dict__,
            "quality_checks": checks or {},
            "skipped_files": derived.skipped,
            "journals": len(journals),
        },
        export_id=derived.export_batch_id,
    )
    refresh_warehouse_tables(warehouse, exports_root)
    if ledger_mirror is not None:
        mirror_ledgers(exports_root, ledger_mirror)
    kinds = list(journals.values())
    return JournalExport(
        batch,
        len(derived.planned),
        len(journals),
        kinds.count("reversal"),
        kinds.count("correction"),
        derived.skipped,
    )


BATCHES_SCHEMA = pa.schema(
    [
        ("export_batch_id", pa.string()),
        ("export_sequence", pa.int64()),
        ("export_mode", pa.string()),
        ("format", pa.string()),
        ("legal_entity", pa.string()),
        ("posting_period", pa.string()),
        ("file", pa.string()),
        ("path", pa.string()),
        ("sha256", pa.string()),
        ("rows", pa.int64()),
        ("journals", pa.int64()),
        ("functional_currency", pa.string()),
        ("functional_debit", MONEY),
        ("functional_credit", MONEY),
        ("totals", pa.string()),  # the manifest's totals per side and currency, as JSON
    ]
)


def _functional_totals(totals: dict[str, str]) -> tuple[str | None, Decimal, Decimal]:
    """A file's functional currency (one per legal entity) and its debit and credit in it."""
    currency = next((k.split(".", 1)[1] for k in totals if k.startswith("functional_debit.")), None)
    return (
        currency,
        Decimal(totals.get(f"functional_debit.{currency}", 0)),
        Decimal(totals.get(f"functional_credit.{currency}", 0)),
    )


def refresh_warehouse_tables(warehouse: Path, exports_root: Location) -> None:
    """`exports.export_ledger` (every line sent, in which files) and `exports.export_batches`
    (one row per file), rebuilt from the published batches."""
    lake = exports_lake(exports_root)
    ledgers = published_ledgers(lake)
    batch_rows = []
    for batch in published_dirs(lake, KIND):
        manifest = json.loads(lake.read_bytes(join(batch, MANIFEST)))
        for f in manifest["files"]:
            if f["file"] == LEDGER_FILE:
                continue
            currency, debit, credit = _functional_totals(f["totals"])
            batch_rows.append(
                {
                    "export_batch_id": manifest["export_id"],
                    "export_sequence": manifest["export_sequence"],
                    "export_mode": manifest["export_mode"],
                    **{k: f.get(k) for k in ("format", "legal_entity", "posting_period")},
                    **{k: f[k] for k in ("file", "sha256", "rows", "journals")},
                    "path": join(batch, f["file"]),
                    "functional_currency": currency,
                    "functional_debit": debit,
                    "functional_credit": credit,
                    "totals": json.dumps(f["totals"], sort_keys=True),
                }
            )
    with connect_warehouse(warehouse, read_only=False) as con:
        con.execute("create schema if not exists exports")
        if ledgers:
            con.execute(
                "create or replace table exports.export_ledger as " + union_by_name(con, ledgers)
            )
        else:
            con.register("no_ledger", LEDGER_SCHEMA.empty_table())
            con.execute("create or replace table exports.export_ledger as from no_ledger")
        con.register("batch_rows", pa.Table.from_pylist(batch_rows, schema=BATCHES_SCHEMA))
        con.execute(
            "create or replace table exports.export_batches as "
            "select * from batch_rows order by export_sequence, file"
        )
