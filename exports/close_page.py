"""The close report page: `close/<YYYY-MM>/close_report.html`, beside the period's JSON.

One static, self-contained HTML file per period (inline CSS and SVG, no script, no network),
with a section per legal entity: the tie-out of control totals usage -> billed -> receivable ->
cash in functional currency, the variances by reconciliation and status (a bar chart and a
table), the aging of open variances, the late and unbilled usage, the product usage Stripe's
meter events disagree with, the journals to review, the journals sent that the ERP extract does
not confirm (`rec_exports_erp`), and the export files with their manifest totals and checksums;
the run's quality gates on top.

Every number comes from the marts as they are. The variance, aging and usage tables take their
columns from the marts by name (counts and `*_functional` amounts of `rec_summary`, the `late`,
`unbilled` and `exposure` columns of `rec_usage_billing`), so a new amount column there shows up
without a change here. Each value cell carries its exact value in `data-value`, so a test (or a
script) can read the page back. Rewritten only when its content changes.

The page lives with the exports (a local path or an s3:// URI, `exports.publish`): every link
in it (the export files, the batches, the JSON, the index) is relative, so the `close/` folder
and the batch folders beside it, downloaded as they are (`aws s3 cp --recursive`), open in a
browser offline; on local disk they open in place.
"""

from __future__ import annotations

import html
import posixpath
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb

from exports.inventory import list_batches
from exports.publish import Location, exports_lake, local_or_uri, replace_file
from sources.currencies import is_known
from sources.currencies import minor_units as currency_minor_units
from sources.lake_fs import connect_warehouse, join

PAGE_NAME = "close_report.html"
INDEX_NAME = "index.html"
MATCHED = "matched"
UNASSIGNED = "(none)"  # the section of rows without a legal entity
IN_ENTITY = "legal_entity is not distinct from ?"  # null: the rows without one


@dataclass(frozen=True)
class Hop:
    """One step of the tie-out: a reconciliation mart and its two sides in functional currency."""

    title: str
    mart: str
    left_label: str
    left: str
    right_label: str
    right: str


TIE_OUT = (
    Hop(
        "Usage → billed",
        "rec_usage_billing",
        "usage at contract prices",
        "expected_amount_functional",
        "usage lines billed",
        "billed_amount_functional",
    ),
    Hop(
        "Billed → receivable",
        "rec_billing_erp",
        "invoices and credit notes",
        "billing_amount_functional",
        "receivable in the ERP",
        "erp_amount_functional",
    ),
    Hop(
        "Receivable → cash",
        "rec_payments_cash",
        "payments and refunds",
        "billing_amount_functional",
        "cash in the ERP",
        "erp_amount_functional",
    ),
    Hop(
        "Credit notes → ERP reversals",
        "rec_adjustments_erp",
        "credit notes",
        "billing_amount_functional",
        "reversals in the ERP",
        "erp_amount_functional",
    ),
)
USAGE_MART = "rec_usage_billing"
USAGE_STATUSES = ("late_usage", "unbilled_usage")  # besides any row with late usage in it
USAGE_KEYS = ("subscription_id", "metric", "billing_period", "status", "currency")
USAGE_CONTEXT = ("commercial_unit", "metered_quantity", "billed_quantity")
USAGE_WORDS = ("late", "unbilled", "exposure")
METER_MART = "rec_usage_meters"  # product usage <-> Stripe meter events, quantities only
METER_COLUMNS = (
    "customer_id",
    "metric",
    "stripe_event_name",
    "billing_period",
    "status",
    "metered_quantity",
    "stripe_quantity",
    "quantity_variance",
)
AGING = re.compile(r"^open_(rows|variance_functional)_(.+)_days$")
SUMMARY_KEYS = ("legal_entity", "fiscal_period", "reconciliation", "status")


@dataclass
class Table:
    columns: list[str]
    rows: list[dict]
    kinds: dict[str, str] = field(default_factory=dict)  # column -> count | amount | quantity


def _number_kind(column: str, duck_type: str) -> str | None:
    if duck_type in {"BIGINT", "INTEGER", "HUGEINT", "SMALLINT", "UBIGINT"}:
        return "count"
    if duck_type.startswith("DECIMAL"):
        # money by its name: amounts, variances, exposures and any functional-currency column
        money = ("amount", "variance", "exposure")
        is_money = any(m in column for m in money) or column.endswith("_functional")
        return "amount" if is_money else "quantity"
    return None


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> dict[str, str]:
    return {
        name: duck_type
        for name, duck_type in con.execute(
            "select column_name, data_type from duckdb_columns() "
            "where schema_name = ? and table_name = ? order by column_index",
            [schema, table],
        ).fetchall()
    }


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(_columns(con, schema, table))


def _fetch(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[dict]:
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def entities(con: duckdb.DuckDBPyConnection, schema: str, period: str) -> list[dict]:
    """The legal entities with anything in the period (journals or reconciliation rows), and
    last, when there are any, the rows no entity could be resolved for (usage of an unknown
    subscription): shown, not dropped."""
    return _fetch(
        con,
        f"""
        with present as (
            select legal_entity from {schema}.rec_summary where fiscal_period = ?
            union select legal_entity from {schema}.journal_lines where posting_period = ?
        )
        select p.legal_entity, e.legal_entity_name, e.functional_currency,
            e.functional_minor_units
        from present as p
        left join {schema}.legal_entities as e on p.legal_entity = e.legal_entity
        order by p.legal_entity nulls last
        """,
        [period, period],
    )


def tie_out(con: duckdb.DuckDBPyConnection, schema: str, period: str, entity: str) -> list[dict]:
    rows = []
    for hop in TIE_OUT:
        [found] = _fetch(
            con,
            f"""
            select count(*) as rows,
                count(*) filter (where status <> '{MATCHED}') as open_rows,
                coalesce(sum({_ident(hop.left)}), 0) as left_total,
                coalesce(sum({_ident(hop.right)}), 0) as right_total,
                coalesce(sum(variance_functional), 0) as variance_functional,
                count(*) filter (where variance_functional is null) as unconverted_rows
            from {schema}.{hop.mart}
            where fiscal_period = ? and {IN_ENTITY}
            """,
            [period, entity],
        )
        rows.append({"hop": hop, **found})
    return rows


def variances(con: duckdb.DuckDBPyConnection, schema: str, period: str, entity: str) -> Table:
    """`rec_summary` by reconciliation and status: its counts and functional amounts, whatever
    they are (the aging buckets have a table of their own)."""
    columns = _columns(con, schema, "rec_summary")
    kinds = {
        name: kind
        for name, duck_type in columns.items()
        if name not in SUMMARY_KEYS
        and not AGING.match(name)
        and (kind := _number_kind(name, duck_type))
        and (kind == "count" or name.endswith("_functional"))
    }
    sums = ", ".join(f"sum({_ident(c)}) as {_ident(c)}" for c in kinds)
    rows = _fetch(
        con,
        f"""
        select reconciliation, status, {sums}
        from {schema}.rec_summary
        where fiscal_period = ? and {IN_ENTITY}
        group by reconciliation, status
        order by reconciliation, status = '{MATCHED}' desc, status
        """,
        [period, entity],
    )
    return Table(["reconciliation", "status", *kinds], rows, kinds)


def aging(con: duckdb.DuckDBPyConnection, schema: str, period: str, entity: str) -> Table:
    """Open rows and open functional variance per age bucket (`open_rows_<bucket>_days`,
    `open_variance_functional_<bucket>_days` of `rec_summary`), per reconciliation."""
    columns = [c for c in _columns(con, schema, "rec_summary") if AGING.match(c)]
    sums = ", ".join(f"sum({_ident(c)}) as {_ident(c)}" for c in columns)
    rows = _fetch(
        con,
        f"""
        select reconciliation, {sums}
        from {schema}.rec_summary
        where fiscal_period = ? and {IN_ENTITY} and status <> '{MATCHED}'
        group by reconciliation
        order by reconciliation
        """,
        [period, entity],
    )
    kinds = {c: "count" if AGING.match(c).group(1) == "rows" else "amount" for c in columns}
    return Table(["reconciliation", *columns], rows, kinds)


def usage_exceptions(
    con: duckdb.DuckDBPyConnection, schema: str, period: str, entity: str
) -> Table:
    """The late and unbilled usage rows of `rec_usage_billing`, with every column named for late,
    unbilled or exposure amounts."""
    columns = _columns(con, schema, USAGE_MART)
    flagged = [c for c in columns if any(word in c for word in USAGE_WORDS)]
    numeric_flags = [c for c in flagged if _number_kind(c, columns[c])]
    shown = [
        c for c in (*USAGE_KEYS, *USAGE_CONTEXT, *flagged, "variance_functional") if c in columns
    ]
    shown = list(dict.fromkeys(shown))
    any_late = " or ".join(f"coalesce({_ident(c)}, 0) <> 0" for c in numeric_flags) or "false"
    statuses = ", ".join(f"'{s}'" for s in USAGE_STATUSES)
    rows = _fetch(
        con,
        f"""
        select {", ".join(_ident(c) for c in shown)}
        from {schema}.{USAGE_MART}
        where fiscal_period = ? and {IN_ENTITY} and (status in ({statuses}) or {any_late})
        order by status, subscription_id, metric, billing_period
        """,
        [period, entity],
    )
    kinds = {c: kind for c in shown if (kind := _number_kind(c, columns[c]))}
    return Table(shown, rows, kinds)


def meter_exceptions(
    con: duckdb.DuckDBPyConnection, schema: str, period: str, entity: str
) -> Table:
    """The rows of `rec_usage_meters` where the product's metered usage and Stripe's meter
    events disagree (or one side is missing): what Stripe never metered, and the reverse."""
    if not _has_table(con, schema, METER_MART):
        return Table(list(METER_COLUMNS), [])
    rows = _fetch(
        con,
        f"""
        select {", ".join(METER_COLUMNS)}
        from {schema}.{METER_MART}
        where fiscal_period = ? and {IN_ENTITY} and status <> '{MATCHED}'
        order by status, customer_id, metric, billing_period
        """,
        [period, entity],
    )
    kinds = {
        c: "quantity" for c in METER_COLUMNS if c.endswith("quantity") or c.endswith("variance")
    }
    return Table(list(METER_COLUMNS), rows, kinds)


def journals_to_review(
    con: duckdb.DuckDBPyConnection, schema: str, period: str, entity: str
) -> Table:
    """Journals of the period not plainly ready: needing review, or moved into the open period."""
    rows = _fetch(
        con,
        f"""
        select journal_id, status, min(posting_reason) as posting_reason,
            min(source_type) as source_type, count(*) as lines,
            sum(functional_debit) as functional_debit,
            bool_or(is_fallback_account) as fallback_account
        from {schema}.journal_lines
        where posting_period = ? and {IN_ENTITY} and status <> 'ready'
        group by journal_id, status
        order by status, journal_id
        """,
        [period, entity],
    )
    return Table(
        [
            "journal_id",
            "status",
            "posting_reason",
            "source_type",
            "lines",
            "functional_debit",
            "fallback_account",
        ],
        rows,
        {"lines": "count", "functional_debit": "amount"},
    )


def unconfirmed_exports(
    con: duckdb.DuckDBPyConnection, schema: str, period: str, entity: str
) -> Table:
    """Journals sent for the period that the ERP extract does not confirm (`rec_exports_erp`:
    not posted, aged from the export date; posted twice; another account or amount), one row per
    journal; empty before the first export's confirmation was built."""
    if not _has_table(con, schema, "rec_exports_erp"):
        return Table([], [])
    rows = _fetch(
        con,
        f"""
        select external_id, string_agg(distinct status, ', ' order by status) as statuses,
            min(source_type) as source_type, min(export_batch_id) as export_batch_id,
            min(export_date) as export_date, max(days_open) as days_open, count(*) as lines,
            sum(variance_functional) as variance_functional
        from {schema}.rec_exports_erp
        where fiscal_period = ? and {IN_ENTITY} and status <> '{MATCHED}'
        group by external_id
        order by external_id
        """,
        [period, entity],
    )
    columns = [
        "external_id",
        "statuses",
        "source_type",
        "export_batch_id",
        "export_date",
        "days_open",
        "lines",
        "variance_functional",
    ]
    return Table(
        columns, rows, {"days_open": "count", "lines": "count", "variance_functional": "amount"}
    )


def export_files(exports_root: Location, period: str) -> list[dict]:
    """Every published journal file of the period, with its batch and manifest entry."""
    files = []
    for batch in list_batches(exports_root):
        for described in batch.files:
            if described.get("posting_period") == period:
                files.append(
                    {
                        **described,
                        "export_id": batch.export_id,
                        "path": join(str(batch.directory), described["file"]),
                    }
                )
    return files


def build_page_data(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    period: str,
    exports_root: Location,
    gates: dict[str, dict] | None = None,
) -> dict:
    """Everything the page shows, read from the marts in `schema` (the warehouse's `marts`, or
    `main` of the analysts' copy) and from the manifests under `exports_root`."""
    files = export_files(exports_root, period)
    sections = []
    for entity in entities(con, schema, period):
        name = entity["legal_entity"]
        sections.append(
            {
                **entity,
                "key": name or UNASSIGNED,
                "anchor": f"entity-{name or 'none'}",
                "legal_entity_name": entity["legal_entity_name"]
                or ("" if name else "no legal entity resolved (e.g. an unknown subscription)"),
                "functional_currency": entity["functional_currency"] or "",
                "tie_out": tie_out(con, schema, period, name),
                "variances": variances(con, schema, period, name),
                "aging": aging(con, schema, period, name),
                "usage": usage_exceptions(con, schema, period, name),
                "meters": meter_exceptions(con, schema, period, name),
                "journals": journals_to_review(con, schema, period, name),
                "unconfirmed": unconfirmed_exports(con, schema, period, name),
                "files": [f for f in files if f.get("legal_entity") == name],
            }
        )
    return {
        "period": period,
        "entities": sections,
        "gates": gates or {},
        "batches": sorted({f["export_id"] for f in files}),
    }


# ---- rendering -------------------------------------------------------------------------------


def plain(value: object) -> str:
    """A value as exact text: decimals without exponent or trailing zeros."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value else "0"
    return str(value)


def shown(value: object, kind: str | None, minor_units: int | None = None) -> str:
    """A value as a reader sees it: amounts to the currency's minor units when exact, with
    thousands separators."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if kind == "count" or isinstance(value, int):
        return f"{int(value):,}"
    if isinstance(value, Decimal):
        if kind == "amount" and minor_units is not None:
            step = Decimal(1).scaleb(-minor_units)
            if value == value.quantize(step):
                return f"{value.quantize(step):,}"
        text = plain(value)
        whole, _, fraction = text.partition(".")
        return f"{int(whole):,}" + (f".{fraction}" if fraction else "") if whole != "-0" else text
    return str(value)


def _cell(field_name: str, value: object, kind: str | None, minor_units: int | None) -> str:
    numeric = kind is not None or (
        isinstance(value, (int, Decimal)) and not isinstance(value, bool)
    )
    css = ' class="num"' if numeric else ""
    return (
        f'<td{css} data-field="{html.escape(field_name)}" data-value="{html.escape(plain(value))}">'
        f"{html.escape(shown(value, kind, minor_units))}</td>"
    )


def _label(column: str) -> str:
    aging = AGING.match(column)
    if aging:  # open_rows_31_60_days -> rows 31-60 days
        what, bucket = aging.groups()
        span = bucket.replace("over_", "over ").replace("_", "-")
        return f"{'rows' if what == 'rows' else 'variance'} {span} days"
    return column.replace("_", " ")


def _row_minor_units(column: str, row: dict, functional_minor_units: int | None) -> int | None:
    """A transaction-currency amount (a row with a `currency`, a column not `*_functional`) is
    shown to its own currency's minor units, not the entity's (a USD row in a JPY entity)."""
    currency = row.get("currency")
    if column.endswith("_functional") or not isinstance(currency, str):
        return functional_minor_units
    return currency_minor_units(currency) if is_known(currency) else None


def render_table(table: Table, minor_units: int | None, name: str, empty: str) -> str:
    if not table.rows:
        return f'<p class="empty" data-table="{name}">{html.escape(empty)}</p>'
    head = "".join(f"<th>{html.escape(_label(c))}</th>" for c in table.columns)
    body = "".join(
        "<tr>"
        + "".join(
            _cell(c, row.get(c), table.kinds.get(c), _row_minor_units(c, row, minor_units))
            for c in table.columns
        )
        + "</tr>"
        for row in table.rows
    )
    return (
        f'<div class="scroll"><table data-table="{name}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def render_chart(table: Table) -> str:
    """Horizontal bars: rows per reconciliation and status (matched in green, open in amber)."""
    bars = [(r["reconciliation"], r["status"], int(r.get("row_count") or 0)) for r in table.rows]
    if not bars:
        return ""
    widest = max(n for *_, n in bars) or 1
    row_height, label_width, bar_width = 22, 300, 360
    parts = []
    for i, (reconciliation, status, n) in enumerate(bars):
        y = i * row_height
        width = max(1, round(bar_width * n / widest)) if n else 0
        colour = "#2e7d32" if status == MATCHED else "#e65100"
        label = html.escape(f"{reconciliation} · {status}")
        parts.append(
            f'<text x="0" y="{y + 15}" class="bar-label">{label}</text>'
            f'<rect x="{label_width}" y="{y + 4}" width="{width}" height="14" fill="{colour}">'
            f"<title>{label}: {n} rows</title></rect>"
            f'<text x="{label_width + width + 6}" y="{y + 15}" class="bar-value">{n}</text>'
        )
    height = row_height * len(bars)
    return (
        f'<svg role="img" aria-label="rows by reconciliation and status" class="chart" '
        f'width="{label_width + bar_width + 60}" height="{height}" '
        f'viewBox="0 0 {label_width + bar_width + 60} {height}">{"".join(parts)}</svg>'
    )


def render_tie_out(rows: list[dict], minor_units: int, currency: str) -> str:
    body = []
    for row in rows:
        hop: Hop = row["hop"]
        status = "ties" if row["open_rows"] == 0 else f"{row['open_rows']} open"
        body.append(
            f'<tr data-reconciliation="{hop.mart}"><th scope="row">{html.escape(hop.title)}'
            f'<div class="sub">{hop.mart}</div></th>'
            f'<td class="sub">{html.escape(hop.left_label)}</td>'
            + _cell(hop.left, row["left_total"], "amount", minor_units)
            + f'<td class="sub">{html.escape(hop.right_label)}</td>'
            + _cell(hop.right, row["right_total"], "amount", minor_units)
            + _cell("variance_functional", row["variance_functional"], "amount", minor_units)
            + _cell("rows", row["rows"], "count", None)
            + f'<td class="{"ok" if row["open_rows"] == 0 else "warn"}">{status}</td></tr>'
        )
    return (
        f'<table data-table="tie_out"><thead><tr><th>hop</th><th colspan="2">from</th>'
        f'<th colspan="2">to</th><th>variance ({currency})</th><th>rows</th><th>status</th>'
        f"</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def _relative(location: str, page_dir: Path | str) -> str:
    """A link from the page to `location`: relative (posix, for a URL), so it works on local
    disk, on s3 and in a downloaded copy alike."""
    return posixpath.relpath(str(location), str(page_dir))


def render_files(files: list[dict], page_dir: Path | str) -> str:
    if not files:
        return '<p class="empty" data-table="files">No export file for this entity and period.</p>'
    body = []
    for f in files:
        link = _relative(f["path"], page_dir)
        totals = "<br>".join(
            f"{html.escape(k)} {html.escape(plain(Decimal(v)))}"
            for k, v in sorted(f.get("totals", {}).items())
        )
        body.append(
            f'<tr><td><a href="{html.escape(link)}">{html.escape(f["file"])}</a></td>'
            f"<td>{html.escape(str(f.get('format', '')))}</td>"
            f"<td>{html.escape(f['export_id'])}</td>"
            + _cell("rows", f.get("rows"), "count", None)
            + _cell("journals", f.get("journals"), "count", None)
            + f'<td class="num totals">{totals}</td>'
            f'<td class="hash" data-field="sha256">{html.escape(f.get("sha256", ""))}</td></tr>'
        )
    return (
        '<div class="scroll"><table data-table="files"><thead><tr><th>file</th><th>format</th>'
        "<th>batch</th><th>rows</th><th>journals</th><th>manifest totals</th><th>sha256</th>"
        f"</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def render_gates(gates: dict[str, dict]) -> str:
    if not gates:
        return '<p class="empty" data-table="gates">No quality gate ran in this close.</p>'
    rows = "".join(
        f'<tr data-suite="{html.escape(suite)}"><td>{html.escape(suite)}</td>'
        f'<td class="{"ok" if g.get("success") else "bad"}">'
        f"{'passed' if g.get('success') else 'FAILED'}</td>"
        + _cell("expectations", g.get("expectations"), "count", None)
        + _cell("failed", g.get("failed", 0), "count", None)
        + "</tr>"
        for suite, g in sorted(gates.items())
    )
    return (
        '<table data-table="gates"><thead><tr><th>suite</th><th>result</th>'
        f"<th>expectations</th><th>failed</th></tr></thead><tbody>{rows}</tbody></table>"
    )


STYLE = """
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#1b1b1b}
h1{font-size:22px;margin:0 0 4px} h2{font-size:18px;margin:28px 0 6px;border-bottom:2px solid #ddd}
h3{font-size:15px;margin:18px 0 6px} .sub{color:#666;font-size:12px;font-weight:normal}
table{border-collapse:collapse;margin:4px 0 10px} th,td{border:1px solid #ddd;padding:3px 8px}
th{background:#f4f4f4;text-align:left} td.num{text-align:right;font-variant-numeric:tabular-nums}
td.hash{font:11px monospace;color:#555;word-break:break-all;min-width:14em;max-width:22em}
.scroll{overflow-x:auto;max-width:100%} td.totals{white-space:nowrap;font-size:12px}
.ok{color:#2e7d32} .warn{color:#e65100} .bad{color:#c62828}
.empty{color:#666;font-style:italic} nav a{margin-right:12px} .bar-label,.bar-value{font-size:12px}
.summary td,.summary th{padding:3px 12px}
"""


def render_page(data: dict, page_dir: Path | str) -> str:
    period = data["period"]
    nav = "".join(
        f'<a href="#{html.escape(e["anchor"])}">{html.escape(e["key"])}</a>'
        for e in data["entities"]
    )
    overview = "".join(
        f'<tr><td><a href="#{html.escape(e["anchor"])}">{html.escape(e["key"])}</a></td>'
        f"<td>{html.escape(e['legal_entity_name'])}</td>"
        f"<td>{html.escape(e['functional_currency'])}</td>"
        + _cell("open_rows", sum(r["open_rows"] for r in e["tie_out"]), "count", None)
        + _cell("journals_to_review", len(e["journals"].rows), "count", None)
        + _cell("unconfirmed_exports", len(e["unconfirmed"].rows), "count", None)
        + _cell("files", len(e["files"]), "count", None)
        + "</tr>"
        for e in data["entities"]
    )
    sections = []
    for e in data["entities"]:
        units, currency = e["functional_minor_units"], e["functional_currency"]
        entity = html.escape(e["key"])
        sections.append(
            f'<section id="{html.escape(e["anchor"])}" data-entity="{entity}">'
            f"<h2>{entity} · {html.escape(e['legal_entity_name'])} "
            f'<span class="sub">functional currency {html.escape(currency)}</span></h2>'
            f"<h3>Tie-out: usage → billed → receivable → cash ({html.escape(currency)})</h3>"
            + render_tie_out(e["tie_out"], units, currency)
            + "<h3>Variances by reconciliation and status</h3>"
            + render_chart(e["variances"])
            + render_table(e["variances"], units, "variances", "No reconciliation row.")
            + "<h3>Aging of open variances (days since the document date)</h3>"
            + render_table(e["aging"], units, "aging", "Nothing open.")
            + "<h3>Unbilled and late usage</h3>"
            + render_table(e["usage"], units, "usage", "No unbilled or late usage.")
            + "<h3>Usage ↔ Stripe meters</h3>"
            + render_table(
                e["meters"], units, "meters", "Stripe's meters agree with the measured usage."
            )
            + "<h3>Journals to review</h3>"
            + render_table(e["journals"], units, "journals", "No journal to review.")
            + "<h3>Exports the ERP has not confirmed</h3>"
            + render_table(
                e["unconfirmed"], units, "unconfirmed_exports", "Every journal sent is posted."
            )
            + "<h3>Export files</h3>"
            + render_files(e["files"], page_dir)
            + "</section>"
        )
    journals_dir = join(posixpath.dirname(posixpath.dirname(str(page_dir))), "journals")
    batches = ", ".join(
        f'<a href="{html.escape(_relative(join(journals_dir, b), page_dir))}/">{html.escape(b)}</a>'
        for b in data["batches"]
    )
    return (
        "<!doctype html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>Close report {period}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{STYLE}</style></head><body>"
        f"<h1>Close report {period}</h1>"
        f'<p class="sub">From the reconciliation, journal and ops marts at close; amounts in '
        f"each entity's functional currency. Export batches: {batches or 'none'}. "
        f'Data: <a href="close_report.json">close_report.json</a>.</p>'
        f"<nav>{nav}</nav>"
        '<h2>Overview</h2><table class="summary" data-table="overview"><thead><tr>'
        "<th>entity</th><th>name</th><th>currency</th><th>open reconciliation rows</th>"
        "<th>journals to review</th><th>exports not confirmed</th><th>export files</th>"
        "</tr></thead>"
        f"<tbody>{overview}</tbody></table>"
        "<h3>Quality gates of the close run</h3>"
        + render_gates(data["gates"])
        + "".join(sections)
        + "</body></html>\n"
    )


def write_close_page(
    warehouse: Path, exports_root: Location, period: str, gates: dict[str, dict] | None = None
) -> tuple[Path | str, bool]:
    """Render the period's page from the warehouse marts, beside its JSON; also refresh the
    index of every period's page. Returns the page (a Path, or its s3:// URI) and whether it
    was (re)written."""
    lake = exports_lake(exports_root)
    target = lake.uri("close", period, PAGE_NAME)
    with connect_warehouse(warehouse) as con:
        data = build_page_data(con, "marts", period, lake, gates)
    page = render_page(data, posixpath.dirname(target)).encode()
    written = replace_file(lake, target, page)
    write_index(lake)
    return local_or_uri(lake, target), written


def write_index(exports_root: Location) -> Path | str:
    """close/index.html: a link to every period's page, newest first."""
    lake = exports_lake(exports_root)
    close = lake.uri("close")
    periods = sorted(
        {p[len(close) + 1 :].split("/")[0] for p in lake.files(close, f"*/{PAGE_NAME}")},
        reverse=True,
    )
    items = "".join(
        f'<li><a href="{period}/{PAGE_NAME}">Close report {period}</a></li>' for period in periods
    )
    payload = (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Close reports'
        f"</title><style>{STYLE}</style></head><body><h1>Close reports</h1><ul>{items}</ul>"
        "</body></html>\n"
    )
    target = join(close, INDEX_NAME)
    replace_file(lake, target, payload.encode())
    return local_or_uri(lake, target)
