"""The close report page of each closed period: its numbers are the marts', its links are the
published files, and it renders in headless Chromium with the world's variances on it."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections import defaultdict
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import duckdb

from tests.browser import Browser


class PageCells(HTMLParser):
    """Per entity section and table: the rows, each {data-field: data-value}; and the links."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[tuple[str, str], list[dict]] = defaultdict(list)
        self.links: list[str] = []
        self.entity = ""
        self.table = ""
        self.row: dict | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "section":
            self.entity = a.get("data-entity", "")
        elif tag == "table" and "data-table" in a:
            self.table = a["data-table"]
        elif tag == "tr":
            self.row = (
                {"reconciliation": a["data-reconciliation"]} if "data-reconciliation" in a else {}
            )
        elif tag == "td" and self.row is not None and "data-field" in a:
            self.row[a["data-field"]] = a.get("data-value")
        elif tag == "a" and "href" in a:
            self.links.append(a["href"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr" and self.row:
            self.tables[(self.entity, self.table)].append(self.row)
            self.row = None
        elif tag == "section":
            self.entity = ""


def parse(page: Path) -> PageCells:
    cells = PageCells()
    cells.feed(page.read_text())
    return cells


def pages(world: Path) -> dict[str, Path]:
    return {p.parent.name: p for p in (world / "exports" / "close").glob("*/close_report.html")}


def dec(value: str | None) -> Decimal | None:
    return None if value in (None, "") else Decimal(value)


IN_PERIOD_ENTITY = "fiscal_period = ? and legal_entity is not distinct from ?"
TIE_OUT = {
    "rec_usage_billing": ("expected_amount_functional", "billed_amount_functional"),
    "rec_billing_erp": ("billing_amount_functional", "erp_amount_functional"),
    "rec_payments_cash": ("billing_amount_functional", "erp_amount_functional"),
    "rec_adjustments_erp": ("billing_amount_functional", "erp_amount_functional"),
}


def test_every_close_has_a_page_whose_numbers_equal_the_marts(world: Path):
    reports = {p.parent.name for p in (world / "exports" / "close").glob("*/close_report.json")}
    found = pages(world)
    assert set(found) == reports and reports
    index = (world / "exports" / "close" / "index.html").read_text()
    assert all(f"{period}/close_report.html" in index for period in reports)
    open_rows_seen = meter_rows_seen = 0
    unconfirmed_seen: set[str] = set()
    with duckdb.connect(str(world / "published" / "marts.duckdb"), read_only=True) as con:
        for period, page in found.items():
            cells = parse(page)
            entities = {
                r[0]
                for r in con.execute(
                    "select legal_entity from rec_summary where fiscal_period = ? union "
                    "select legal_entity from journal_lines where posting_period = ?",
                    [period, period],
                ).fetchall()
            }
            # rows no entity was resolved for are a section of their own, not dropped
            assert {e for e, _ in cells.tables if e} == {e or "(none)" for e in entities}, period
            for entity in entities:
                section = entity or "(none)"
                # the tie-out: both sides, the variance and the rows of each hop
                tie = {r["reconciliation"]: r for r in cells.tables[(section, "tie_out")]}
                assert set(tie) == set(TIE_OUT)
                for mart, (left, right) in TIE_OUT.items():
                    expected = con.execute(
                        f"select coalesce(sum({left}), 0), coalesce(sum({right}), 0), "
                        f"coalesce(sum(variance_functional), 0), count(*) from {mart} "
                        "where " + IN_PERIOD_ENTITY,
                        [period, entity],
                    ).fetchone()
                    row = tie[mart]
                    got = (dec(row[left]), dec(row[right]), dec(row["variance_functional"]))
                    assert got == expected[:3], (period, entity, mart)
                    assert int(row["rows"]) == expected[3]
                # variances by reconciliation and status, as rec_summary has them
                expected = {
                    (rec, status): (n, open_n, variance)
                    for rec, status, n, open_n, variance in con.execute(
                        "select reconciliation, status, sum(row_count), sum(open_row_count), "
                        "sum(open_variance_functional) from rec_summary "
                        "where " + IN_PERIOD_ENTITY + " group by all",
                        [period, entity],
                    ).fetchall()
                }
                got = {
                    (r["reconciliation"], r["status"]): (
                        int(r["row_count"]),
                        int(r["open_row_count"]),
                        dec(r["open_variance_functional"]),
                    )
                    for r in cells.tables[(section, "variances")]
                }
                assert got == expected, (period, entity)
                open_rows_seen += sum(v[1] for v in got.values())
                # aging buckets of what is open
                aging = {r["reconciliation"]: r for r in cells.tables.get((section, "aging"), [])}
                for rec, *buckets in con.execute(
                    "select reconciliation, sum(open_rows_0_30_days), sum(open_rows_31_60_days),"
                    " sum(open_rows_61_90_days), sum(open_rows_over_90_days),"
                    " sum(open_variance_functional_0_30_days) from rec_summary"
                    " where " + IN_PERIOD_ENTITY + " and status <> 'matched'"
                    " group by all",
                    [period, entity],
                ).fetchall():
                    row = aging[rec]
                    assert [
                        int(row[f"open_rows_{b}_days"])
                        for b in ("0_30", "31_60", "61_90", "over_90")
                    ] == buckets[:4]
                    assert dec(row["open_variance_functional_0_30_days"]) == buckets[4]
                # the late and unbilled usage rows
                expected_usage = set(
                    con.execute(
                        "select subscription_id, metric, billing_period, late_quantity "
                        "from rec_usage_billing where " + IN_PERIOD_ENTITY + " "
                        "and (status in ('late_usage', 'unbilled_usage') or late_quantity <> 0)",
                        [period, entity],
                    ).fetchall()
                )
                got_usage = {
                    (
                        r["subscription_id"],
                        r["metric"],
                        r["billing_period"],
                        dec(r["late_quantity"]),
                    )
                    for r in cells.tables.get((section, "usage"), [])
                }
                assert got_usage == expected_usage, (period, entity)
                # product usage <-> Stripe meter events: every row that disagrees
                expected_meters = set(
                    con.execute(
                        "select customer_id, metric, billing_period, status, metered_quantity,"
                        " stripe_quantity from rec_usage_meters where " + IN_PERIOD_ENTITY + " "
                        "and status <> 'matched'",
                        [period, entity],
                    ).fetchall()
                )
                got_meters = {
                    (
                        r["customer_id"],
                        r["metric"],
                        r["billing_period"],
                        r["status"],
                        dec(r["metered_quantity"]),
                        dec(r["stripe_quantity"]),
                    )
                    for r in cells.tables.get((section, "meters"), [])
                }
                assert got_meters == expected_meters, (period, entity)
                meter_rows_seen += len(got_meters)
                # the journals sent that the ERP extract does not confirm, one row per journal
                expected_unconfirmed = set(
                    con.execute(
                        "select external_id, string_agg(distinct status, ', ' order by status),"
                        " max(days_open), count(*) from rec_exports_erp"
                        " where " + IN_PERIOD_ENTITY + " and status <> 'matched' group by all",
                        [period, entity],
                    ).fetchall()
                )
                got_unconfirmed = {
                    (r["external_id"], r["statuses"], int(r["days_open"]), int(r["lines"]))
                    for r in cells.tables.get((section, "unconfirmed_exports"), [])
                }
                assert got_unconfirmed == expected_unconfirmed, (period, entity)
                unconfirmed_seen |= {u[0] for u in got_unconfirmed if "not_in_erp" in u[1]}
            # the period's JSON report lists the same discrepancies, all entities together
            report = json.loads(page.with_name("close_report.json").read_text())
            listed = {
                (r["customer_id"], r["metric"], r["billing_period"], r["status"])
                for r in report["usage_meter_discrepancies"]
            }
            assert listed == {
                row
                for row in con.execute(
                    "select customer_id, metric, billing_period, status from rec_usage_meters"
                    " where fiscal_period = ? and status <> 'matched'",
                    [period],
                ).fetchall()
            }, period
    assert open_rows_seen > 0  # the default world has open variances, and the pages show them
    # and a usage the product measured that Stripe's meter events left out (answer key)
    assert meter_rows_seen > 0
    assert unconfirmed_seen  # and a journal it exported that its ERP never posted


def test_page_links_are_the_published_files_with_their_checksums(world: Path):
    key = json.loads((world / "answer_key.json").read_text())
    late = {
        (e["key"]["subscription_id"], e["key"]["metric"], e["key"]["billing_period"])
        for e in key
        if e["anomaly"] == "late_usage"
    }
    shown_late = set()
    linked = 0
    for page in pages(world).values():
        cells = parse(page)
        for (_, table), rows in cells.tables.items():
            if table == "usage":
                shown_late |= {
                    (r["subscription_id"], r["metric"], r["billing_period"])
                    for r in rows
                    if r["status"] == "late_usage"
                }
        for href in cells.links:
            if href.startswith("#") or href.endswith("/"):
                continue
            target = (page.parent / href).resolve()
            assert target.is_file(), href
            linked += 1
        html_text = page.read_text()
        for manifest in (world / "exports" / "journals").glob("*/manifest.json"):
            for f in json.loads(manifest.read_text())["files"]:
                if f.get("posting_period") == page.parent.name:
                    assert f["sha256"] in html_text
                    path = manifest.parent / f["file"]
                    assert hashlib.sha256(path.read_bytes()).hexdigest() == f["sha256"]
    assert linked > 0
    assert late and late <= shown_late  # every injected late usage is on a page


def test_a_new_amount_column_in_the_marts_shows_without_a_change(world: Path, tmp_path: Path):
    """Amount columns appear on the page by their names: issue 21's unbilled exposure as built,
    and a column the marts do not have yet, added to a copy."""
    from exports.close_page import build_page_data, render_page

    copy = tmp_path / "marts.duckdb"
    shutil.copy(world / "published" / "marts.duckdb", copy)
    with duckdb.connect(str(copy)) as con:
        con.execute(
            "alter table rec_usage_billing add column late_credit_functional decimal(38, 9)"
        )
        con.execute("update rec_usage_billing set late_credit_functional = late_quantity * 0.5")
        con.execute("alter table rec_summary add column unbilled_accrual_functional decimal(38, 9)")
        con.execute("update rec_summary set unbilled_accrual_functional = 1.25")
        period = con.execute(
            "select fiscal_period from rec_usage_billing where late_quantity > 0 limit 1"
        ).fetchone()[0]
        data = build_page_data(con, "main", period, world / "exports")
    html = render_page(data, tmp_path)
    assert "late credit functional" in html and "unbilled accrual functional" in html
    assert "unbilled exposure functional" in html  # issue 21's column, as the marts have it
    usage = [e["usage"] for e in data["entities"] if e["usage"].rows]
    assert any("late_credit_functional" in t.columns for t in usage)
    assert any("unbilled_exposure" in t.columns for t in usage)


def test_the_page_renders_in_chromium_with_the_worlds_variances(world: Path, tmp_path: Path):
    period, page = max(
        pages(world).items(),
        key=lambda item: sum(
            int(r.get("open_rows", 0) or 0) for r in parse(item[1]).tables[("", "overview")]
        ),
    )
    with duckdb.connect(str(world / "published" / "marts.duckdb"), read_only=True) as con:
        statuses = {
            r[0]
            for r in con.execute(
                "select distinct status from rec_summary where fiscal_period = ? "
                "and status <> 'matched'",
                [period],
            ).fetchall()
        }
    with Browser(width=1100, height=1400) as browser:
        browser.open(page.as_uri())
        text = browser.text()
        shot = browser.screenshot(tmp_path / "close_report.png")
    assert f"Close report {period}" in text
    assert "Tie-out: usage → billed → receivable → cash" in text
    assert statuses and all(s in text for s in statuses)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
