"""What `u2c recon` and `u2c quarantine` read: the analysts' copy (`published/marts.duckdb`),
opened read-only, so they never wait on (or lock out) a running pipeline."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

import duckdb

from orchestration.errors import UserError
from orchestration.settings import Settings
from orchestration.tables import Section

REC_MARTS = (
    "rec_usage_billing",
    "rec_billing_erp",
    "rec_payments_cash",
    "rec_adjustments_erp",
    "rec_usage_meters",
    "rec_exports_erp",
)
# what identifies a row of each reconciliation mart, as one text
REC_ROW_ID = {
    "rec_usage_billing": "subscription_id || ' ' || metric || ' ' || billing_period",
    "rec_billing_erp": "document_type || ' ' || document_id",
    "rec_payments_cash": "payment_type || ' ' || payment_id",
    "rec_adjustments_erp": "adjustment_type || ' ' || adjustment_id",
    "rec_usage_meters": "customer_id || ' ' || stripe_event_name || ' ' || billing_period",
    "rec_exports_erp": "external_id || ' #' || line_number",
}
# the customer of a row (a journal line sent to the ERP has none of its own)
REC_CUSTOMER = {"rec_exports_erp": "cast(null as varchar)"}
MATCHED = "matched"
PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
SUMMARY_COLUMNS = [
    "legal_entity",
    "fiscal_period",
    "reconciliation",
    "status",
    "currency",
    "row_count",
    "variance",
    "functional_currency",
    "variance_functional",
    "open_row_count",
]
OPEN_COLUMNS = [
    "reconciliation",
    "row",
    "status",
    "legal_entity",
    "fiscal_period",
    "customer_id",
    "currency",
    "variance",
    "functional_currency",
    "variance_functional",
]


def require_data_dir(settings: Settings) -> None:
    if not settings.data_dir.is_dir():
        raise UserError(
            f"no data dir at {settings.data_dir}: set U2C_DATA_DIR to yours, or create one "
            "with `u2c generate` (a demo world) or `u2c demo`"
        )


@contextlib.contextmanager
def published(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    require_data_dir(settings)
    path = settings.published_marts
    if not path.exists():
        raise UserError(
            f"nothing published yet: {path} does not exist (`u2c run` builds and publishes the "
            "marts once the inbox has extracts)"
        )
    with duckdb.connect(str(path), read_only=True) as con:
        yield con


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}


def _check(value: str | None, known: set, what: str) -> None:
    if value is not None and value not in known:
        listed = ", ".join(sorted(str(k) for k in known)) or "none"
        raise UserError(f"unknown {what} {value!r}; known: {listed}")


def recon(
    settings: Settings,
    entity: str | None = None,
    period: str | None = None,
    status: str | None = None,
) -> list[Section]:
    """`rec_summary` for the filters, and the rows behind it: the open ones (every status but
    matched), or those of `status` when one is given."""
    require_data_dir(settings)
    if period is not None and not PERIOD.match(period):
        raise UserError(f"--period {period!r}: give a fiscal period as YYYY-MM, e.g. 2026-09")
    with published(settings) as con:
        present = tables(con)
        if "rec_summary" not in present:
            raise UserError("the published marts have no rec_summary yet: run `u2c run`")
        marts = [m for m in REC_MARTS if m in present]
        known = {
            "legal_entity": {
                r[0]
                for r in con.execute("select distinct legal_entity from rec_summary").fetchall()
            },
            "status": {
                r[0]
                for m in marts
                for r in con.execute(f"select distinct status from {m}").fetchall()
            },
        }
        _check(entity, known["legal_entity"], "legal entity")
        _check(status, known["status"], "status")
        where, params = ["true"], []
        for column, value in (
            ("legal_entity", entity),
            ("fiscal_period", period),
            ("status", status),
        ):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        summary = rows(
            con,
            f"select * from rec_summary where {' and '.join(where)} "
            "order by fiscal_period, legal_entity, reconciliation, status, currency",
            params,
        )
        if status is None:
            where.append(f"status <> '{MATCHED}'")
        behind = []
        for mart in marts:
            behind += rows(
                con,
                f"select '{mart}' as reconciliation, {REC_ROW_ID[mart]} as row, status, "
                f"legal_entity, fiscal_period, {REC_CUSTOMER.get(mart, 'customer_id')} "
                "as customer_id, currency, variance, "
                "functional_currency, variance_functional "
                f"from {mart} where {' and '.join(where)} "
                "order by fiscal_period, legal_entity, status, row",
                params,
            )
    scope = ", ".join(
        f"{name} {value}"
        for name, value in (("entity", entity), ("period", period), ("status", status))
        if value
    )
    return [
        Section(
            "summary",
            "rec_summary" + (f" ({scope})" if scope else ""),
            summary,
            SUMMARY_COLUMNS,
            empty="no reconciliation rows for these filters",
        ),
        Section(
            "rows",
            f"{status or 'open'} rows behind it",
            behind,
            OPEN_COLUMNS,
            empty="nothing open" if status is None else f"no {status} rows",
        ),
    ]


def quarantine(settings: Settings, system: str | None = None, samples: int = 3) -> list[Section]:
    """Quarantined rows: counts by system, table, class and reason; a few rows of each reason
    with their file and line."""
    if samples < 0:
        raise UserError("--samples must be 0 or more")
    with published(settings) as con:
        if "ops_quarantine" not in tables(con):
            raise UserError("the published marts have no ops_quarantine yet: run `u2c run`")
        systems = {
            r[0]
            for r in con.execute(
                "select distinct system from ops_landing_batches union "
                "select distinct system from ops_quarantine"
            ).fetchall()
        }
        _check(system, systems, "system")
        where, params = ("system = ?", [system]) if system else ("true", [])
        counts = rows(
            con,
            "select system, source_table, reason_class, reason_code, count(*) as rows, "
            "count(distinct file_name) as files "
            f"from ops_quarantine where {where} group by all order by all",
            params,
        )
        sample = rows(
            con,
            "select system, source_table, reason_code, file_name, line_number, reason_detail, "
            "payload, batch_id from ("
            "  select *, row_number() over ("
            "    partition by system, source_table, reason_code order by file_name, line_number"
            "  ) as n"
            f"  from ops_quarantine where {where}"
            ") where n <= ? order by system, source_table, reason_code, file_name, line_number",
            [*params, samples],
        )
        landed = con.execute(
            "select coalesce(sum(rows_read), 0), coalesce(sum(rows_quarantined), 0) "
            f"from ops_landing_batches where {where}",
            params,
        ).fetchone()
    return [
        Section(
            "counts",
            "quarantined rows by system, table, class and reason"
            + (f" (system {system})" if system else ""),
            counts,
            ["system", "source_table", "reason_class", "reason_code", "rows", "files"],
            empty="nothing quarantined",
            notes=[f"{landed[1]:,} of {landed[0]:,} rows read were quarantined"],
        ),
        Section(
            "samples",
            f"sample rows (up to {samples} per reason)",
            sample,
            [
                "system",
                "source_table",
                "reason_code",
                "file_name",
                "line_number",
                "reason_detail",
                "payload",
            ],
            empty="none",
        ),
    ]
