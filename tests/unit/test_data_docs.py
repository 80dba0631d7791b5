"""Great Expectations Data Docs from a run's saved validation results."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd

from expectations.data_docs import build_data_docs
from expectations.journal_gate import run_journal_gate
from expectations.validate import save_result, validate_dataframe
from tests.unit.test_journal_gate import GOOD, warehouse

RUN_ID = "0f1e2d3c-run"


def usage_daily_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "subscription_id": ["sub_1", "sub_1"],
            "customer_id": ["cus_1", "cus_1"],
            "metric": ["api_calls", "api_calls"],
            "dimensions": ["{}", "{}"],
            "usage_date": [date(2026, 9, 1), date(2026, 9, 2)],
            "quantity": [Decimal("10"), Decimal("12")],
            "event_count": [3, 4],
        }
    )


def test_a_run_renders_an_index_naming_each_suite(tmp_path: Path):
    results_dir = tmp_path / "gx" / "validations"
    docs_dir = tmp_path / "gx" / "data_docs"
    unbalanced = [
        *GOOD[:2],
        ("U2C-INV-in_1", 3, "US01", "USD", "2200", "2026-09", "0", "9.99", "0", "10.00"),
    ]
    # as the checks of one run do: each saves its results, then renders them and the index
    gate = run_journal_gate(warehouse(tmp_path, unbalanced))
    for result in gate.results:
        save_result(result, results_dir, RUN_ID)
    build_data_docs(results_dir / RUN_ID, docs_dir, [r.suite for r in gate.results])
    usage = validate_dataframe("usage_daily", usage_daily_frame())
    assert usage.success
    save_result(usage, results_dir, RUN_ID)
    index = build_data_docs(results_dir / RUN_ID, docs_dir, ["usage_daily"])

    assert index == docs_dir / "index.html"
    html = index.read_text()
    for suite in ("journal_lines", "journal_balances", "usage_daily"):
        assert suite in html
        assert (docs_dir / "expectations" / f"{suite}.html").exists()
        [page] = (docs_dir / "validations" / suite / RUN_ID).glob("*/*.html")
        assert page.relative_to(docs_dir).as_posix() in html  # the index links the run's page
    # the index marks the failed validation, its page shows the unequal totals
    assert re.search(r"journal_balances\.html', '_validation_success_text': 'Failed'", html)
    assert re.search(r"usage_daily\.html', '_validation_success_text': 'Success'", html)
    [balances] = (docs_dir / "validations" / "journal_balances" / RUN_ID).glob("*/*.html")
    assert "1 unexpected values found" in balances.read_text()


def test_a_later_run_indexes_its_own_results(tmp_path: Path):
    results_dir = tmp_path / "validations"
    docs_dir = tmp_path / "data_docs"
    for run in ("run-1", "run-2"):
        save_result(validate_dataframe("usage_daily", usage_daily_frame()), results_dir, run)
        build_data_docs(results_dir / run, docs_dir, ["usage_daily"])
    html = (docs_dir / "index.html").read_text()
    assert "validations/usage_daily/run-2/" in html
    assert "validations/usage_daily/run-1/" not in html


def test_the_index_keeps_the_latest_result_of_a_suite_another_run_validated(tmp_path: Path):
    """The usage run validates usage_daily, the period run the journal suites: the index after
    the period run still lists the usage run's result."""
    results_dir = tmp_path / "validations"
    docs_dir = tmp_path / "data_docs"
    save_result(validate_dataframe("usage_daily", usage_daily_frame()), results_dir, "usage-run")
    build_data_docs(results_dir / "usage-run", docs_dir, ["usage_daily"])
    gate = run_journal_gate(warehouse(tmp_path, GOOD))
    for result in gate.results:
        save_result(result, results_dir, "period-run")
    build_data_docs(results_dir / "period-run", docs_dir, [r.suite for r in gate.results])
    html = (docs_dir / "index.html").read_text()
    assert "validations/usage_daily/usage-run/" in html
    assert "validations/journal_balances/period-run/" in html


def test_a_second_site_in_the_process_compiles_no_template_and_renders_the_same(tmp_path: Path):
    from expectations.data_docs_views import TEMPLATES

    results_dir = tmp_path / "gx" / "validations"
    save_result(validate_dataframe("usage_daily", usage_daily_frame()), results_dir, RUN_ID)
    pages, compiled = [], []
    for site in ("first", "second"):
        index = build_data_docs(results_dir / RUN_ID, tmp_path / site, ["usage_daily"])
        compiled.append(TEMPLATES.compiled)
        [page] = (tmp_path / site / "validations" / "usage_daily" / RUN_ID).glob("*/*.html")
        # the pages differ only in the render time GX stamps into their asset links
        pages.append(re.sub(r"\?d=\d{8}T\d{6}\.\d+Z", "", page.read_text() + index.read_text()))
    assert compiled[0] == compiled[1] > 0  # the second site compiled nothing
    assert pages[0] == pages[1] and "usage_daily" in pages[0]
