"""The usage snapshot export: `usage_daily` as canonical CSV, totals per metric."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from exports.formats.csv_safe import render_csv
from exports.formats.lines import exact_sum
from exports.manifest import ExportedFile
from exports.publish import Location, PublishedBatch, publish_batch
from sources.lake_fs import connect_warehouse

COLUMNS = [
    "subscription_id",
    "customer_id",
    "metric",
    "dimensions",
    "usage_date",
    "quantity",
    "event_count",
]


def build_usage_daily_file(warehouse: Path) -> ExportedFile:
    with connect_warehouse(warehouse) as con:
        rows = con.execute(
            f"select {', '.join(COLUMNS)} from marts.usage_daily "
            "order by usage_date, metric, subscription_id nulls first, customer_id, dimensions"
        ).fetchall()
    parts: dict[str, list[Decimal]] = defaultdict(list)
    for row in rows:
        parts[f"quantity.{row[2]}"].append(row[5])
    totals = {key: exact_sum(values) for key, values in parts.items()}
    return ExportedFile("usage_daily.csv", render_csv(COLUMNS, rows), len(rows), totals)


def export_usage_daily(
    warehouse: Path, exports_root: Location, checks: dict
) -> PublishedBatch | None:
    """Publish the snapshot; None when usage_daily has no rows (no usage delivered yet, e.g. an
    inbox with billing or ERP extracts only): an empty snapshot is not a file to hand over."""
    snapshot = build_usage_daily_file(warehouse)
    if snapshot.rows == 0:
        return None
    return publish_batch(exports_root, "usage_daily", [snapshot], {"quality_checks": checks})
