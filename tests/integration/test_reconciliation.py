"""Reconciliation marts on generated worlds: all matched when clean; on the default world every
answer-key entry of rec_billing_erp, rec_payments_cash and rec_adjustments_erp is found by its
key with its status, and nothing else is flagged (precision and recall 100%)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from sources.demo.generate import GenerateOptions, generate
from sources.landing import land_inbox
from sources.registry import CONTRACTS

SMALL = {"customers": 10, "days": 62, "events_per_day": 200}
DBT = Path(sys.executable).parent / "dbt"
DBT_PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"
# mart -> its key column
MARTS = {
    "rec_billing_erp": "document_id",
    "rec_payments_cash": "payment_id",
    "rec_adjustments_erp": "adjustment_id",
}


def build_world(out: Path, clean: bool) -> Path:
    """Generate, land and build the reconciliation marts (and what they need) into `out`."""
    generate(GenerateOptions(out=out, clean=clean, **SMALL))
    land_inbox(out / "inbox", out / "lake", CONTRACTS)
    env = {**os.environ, "U2C_DATA_DIR": str(out)}
    built = subprocess.run(
        [
            str(DBT), "build",
            "--select", "+path:models/marts/reconciliation",
            # only tests whose parents are all selected: others' models stay out of this build
            "--indirect-selection", "cautious",
            "--target-path", str(out / "dbt" / "target"),
            "--log-path", str(out / "dbt" / "logs"),
        ],
        cwd=DBT_PROJECT, env=env, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert built.returncode == 0, built.stdout[-5000:] + built.stderr[-2000:]
    return out


def statuses(out: Path) -> dict[str, dict[str, str]]:
    """mart -> {key: status}."""
    with duckdb.connect(str(out / "warehouse.duckdb"), read_only=True) as con:
        return {
            mart: dict(con.execute(f"select {key}, status from marts.{mart}").fetchall())
            for mart, key in MARTS.items()
        }


@pytest.fixture(scope="module")
def clean_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_world(tmp_path_factory.mktemp("rec_clean"), clean=True)


@pytest.fixture(scope="module")
def default_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_world(tmp_path_factory.mktemp("rec_default"), clean=False)


def test_clean_world_is_all_matched(clean_world: Path):
    found = statuses(clean_world)
    for mart, rows in found.items():
        assert rows, f"{mart} is empty"
        flagged = {key: status for key, status in rows.items() if status != "matched"}
        assert not flagged, f"{mart}: {flagged}"


def test_default_world_finds_every_answer_and_nothing_else(default_world: Path):
    found = statuses(default_world)
    answers = json.loads((default_world / "answer_key.json").read_text())
    expected: dict[str, dict[str, str]] = {mart: {} for mart in MARTS}
    for entry in answers:
        if entry["mart"] in MARTS:
            (key,) = entry["key"].values()
            expected[entry["mart"]][key] = entry["status"]
    for mart in MARTS:
        assert expected[mart], f"the answer key names nothing in {mart}"
        flagged = {key: status for key, status in found[mart].items() if status != "matched"}
        missed = {k: s for k, s in expected[mart].items() if found[mart].get(k) != s}
        spurious = {k: s for k, s in flagged.items() if expected[mart].get(k) != s}
        assert not missed, f"{mart}: not found with the expected status: {missed}"
        assert not spurious, f"{mart}: flagged but not in the answer key: {spurious}"


def test_every_billing_document_and_payment_is_reconciled(default_world: Path):
    """Row counts: each billing document, charge and refund has exactly one row."""
    with duckdb.connect(str(default_world / "warehouse.duckdb"), read_only=True) as con:
        one = con.execute

        def count(sql: str) -> int:
            return one(sql).fetchone()[0]

        assert count(
            "select count(*) from marts.rec_billing_erp where status <> 'unknown_in_billing'"
        ) == count(
            "select (select count(*) from marts.invoices"
            "        where invoice_status not in ('draft', 'void') and finalized_at is not null)"
            "     + (select count(*) from marts.credit_notes where credit_note_status = 'issued')"
        )
        assert count("select count(*) from marts.rec_payments_cash") == count(
            "select (select count(*) from marts.payments where charge_status = 'succeeded')"
            "     + (select count(*) from marts.refunds where refund_status = 'succeeded')"
        )
        assert count("select count(*) from marts.rec_adjustments_erp") == count(
            "select count(*) from marts.credit_notes where credit_note_status = 'issued'"
        )
