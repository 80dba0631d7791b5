"""The close report of a billing period: what finance signs off at month end.

Per legal entity: the journals derived for the period and how many went out (and in which
batches and files), the reconciliation statuses with their open variances, the journals that
need review, and the unbilled exposure: late usage valued as the contract would have billed it
(`rec_summary.unbilled_exposure`), per entity and transaction currency; where the product's
metered usage and Stripe's meter events disagree (`rec_usage_meters`, quantities); and the
journals sent that the ERP extract does not confirm (`rec_exports_erp`: not posted, posted twice,
another account or amount), with their age since the export. Written as
`close/<YYYY-MM>/close_report.json` under the exports directory by temp + rename; rewritten only
when its content changes (a later run after a correction).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb

from exports.publish import Location, exports_lake, local_or_uri, replace_file
from exports.safe_names import name_part
from sources.faults import fault_point
from sources.lake_fs import connect_warehouse

JOURNALS_SQL = """
    select legal_entity, functional_currency, count(distinct journal_id) as journals,
        count(*) as lines, sum(functional_debit) as functional_debit,
        sum(functional_credit) as functional_credit,
        count(distinct journal_id) filter (where status = 'needs_review') as needs_review
    from marts.journal_lines
    where posting_period = ?
    group by all
    order by all
"""

SENT_SQL = """
    select legal_entity,
        count(distinct journal_id) filter (where journal_kind <> 'reversal') as journals_sent,
        count(distinct journal_id) filter (where journal_kind = 'reversal') as reversed,
        list(distinct export_batch_id order by export_batch_id) as batches
    from exports.export_ledger
    where posting_period = ?
    group by all
    order by all
"""

RECONCILIATION_SQL = """
    select legal_entity, reconciliation, status, sum(row_count) as rows,
        sum(open_variance_functional) as open_variance_functional
    from marts.rec_summary
    where fiscal_period = ?
    group by all
    order by all
"""

UNBILLED_EXPOSURE_SQL = """
    select legal_entity, currency, min(functional_currency) as functional_currency,
        sum(unbilled_exposure) as amount, sum(unbilled_exposure_functional) as amount_functional
    from marts.rec_summary
    where fiscal_period = ? and reconciliation = 'rec_usage_billing' and unbilled_exposure <> 0
    group by all
    order by all
"""

# journals sent for the period that the ERP extract does not confirm as sent (rec_exports_erp)
UNCONFIRMED_EXPORTS_SQL = """
    select external_id, legal_entity, min(source_type) as source_type,
        list(distinct status order by status) as statuses, count(*) as lines,
        min(currency) as currency, sum(variance) as variance,
        min(functional_currency) as functional_currency,
        sum(variance_functional) as variance_functional, min(export_batch_id) as export_batch_id,
        min(export_date) as export_date, max(days_open) as days_open
    from marts.rec_exports_erp
    where fiscal_period = ? and status <> 'matched'
    group by external_id, legal_entity
    order by legal_entity, external_id
"""


# product usage <-> Stripe meter events: the customer x meter x period rows that disagree
METER_DISCREPANCIES_SQL = """
    select legal_entity, customer_id, metric, stripe_event_name, billing_period, status,
        metered_quantity, stripe_quantity, quantity_variance
    from marts.rec_usage_meters
    where fiscal_period = ? and status <> 'matched'
    order by all
"""


@dataclass(frozen=True)
class CloseReport:
    period: str
    path: Path | str  # a Path on local disk, an s3:// URI on object storage
    written: bool
    open_items: int
    unsent_journals: int


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value else "0"
    return value


def _rows(con: duckdb.DuckDBPyConnection, sql: str, period: str) -> list[dict]:
    cursor = con.execute(sql, [period])
    names = [d[0] for d in cursor.description]
    return [{n: _plain(v) for n, v in zip(names, row, strict=True)} for row in cursor.fetchall()]


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    found = con.execute(
        "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?",
        [schema, table],
    ).fetchone()
    return bool(found and found[0])


def build_report(warehouse: Path, period: str) -> dict:
    with connect_warehouse(warehouse) as con:
        has_ledger = _has_table(con, "exports", "export_ledger")
        journals = _rows(con, JOURNALS_SQL, period)
        sent = {r["legal_entity"]: r for r in _rows(con, SENT_SQL, period)} if has_ledger else {}
        reconciliation = _rows(con, RECONCILIATION_SQL, period)
        exposure = _rows(con, UNBILLED_EXPOSURE_SQL, period)
        meters = _rows(con, METER_DISCREPANCIES_SQL, period)
        unconfirmed = (
            _rows(con, UNCONFIRMED_EXPORTS_SQL, period)
            if _has_table(con, "marts", "rec_exports_erp")
            else []
        )
    entities = []
    for row in journals:
        out = sent.get(row["legal_entity"], {})
        entities.append(
            {
                **row,
                "journals_sent": out.get("journals_sent", 0),
                "export_batches": out.get("batches", []),
            }
        )
    open_items = sum(r["rows"] for r in reconciliation if r["status"] != "matched")
    return {
        "period": period,
        "entities": entities,
        "reconciliation": reconciliation,
        "open_reconciliation_items": open_items,
        "journals_needing_review": sum(r["needs_review"] for r in journals),
        # new keys only (the HTML close report reads the ones above): late usage no invoice
        # carries, valued on its contract, per entity and currency, and its functional total
        "unbilled_exposure": exposure,
        "unbilled_exposure_functional": _plain(
            sum((Decimal(r["amount_functional"]) for r in exposure), Decimal(0))
        ),
        "usage_meter_discrepancies": meters,
        # journals sent for the period that the ERP extract does not show as sent: not posted
        # (aged from the export date), posted twice, on another account or another amount
        "unconfirmed_exports": unconfirmed,
    }


def write_close_report(warehouse: Path, exports_root: Location, period: str) -> CloseReport:
    """close/<period>/close_report.json under the exports root (a local path or s3:// URI),
    replaced whole when its content changed."""
    report = build_report(warehouse, period)
    payload = (json.dumps(report, indent=2, sort_keys=True, default=str) + "\n").encode()
    lake = exports_lake(exports_root)
    target = lake.uri("close", name_part(period), "close_report.json")
    written = replace_file(lake, target, payload)
    if written:
        fault_point("close_report.written")
    derived = sum(e["journals"] for e in report["entities"])
    sent = sum(e["journals_sent"] for e in report["entities"])
    return CloseReport(
        period,
        local_or_uri(lake, target),
        written,
        report["open_reconciliation_items"],
        max(derived - sent, 0),
    )
