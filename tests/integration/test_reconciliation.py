"""Reconciliation marts on generated worlds: all matched when clean; on the default world every
answer-key entry of rec_usage_billing, rec_billing_erp, rec_payments_cash, rec_adjustments_erp
and rec_exports_erp is found by its key with its status, and nothing else is flagged (precision
and recall 100%); rec_summary counts every row of the five marts under its status."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

# mart -> its key columns (the answer key's key, in this order)
MARTS = {
    "rec_usage_billing": ("subscription_id", "metric", "billing_period"),
    "rec_billing_erp": ("document_id",),
    "rec_payments_cash": ("payment_id",),
    "rec_adjustments_erp": ("adjustment_id",),
    "rec_usage_meters": ("customer_id", "stripe_event_name", "billing_period"),
}
# every mart the answer key names -> the key columns its entries carry (all of them anomalies)
ANSWER_MARTS = {
    **MARTS,
    "ops_usage_duplicates": ("event_source", "event_id", "file_name", "line_number"),
    "ops_quarantine": ("file_name", "line_number", "reason_code"),
    "journal_lines": ("source_id",),
    # a row per journal line: the answer key names the journal (External ID) and its status
    "rec_exports_erp": ("external_id",),
}


def statuses(out: Path) -> dict[str, dict[tuple[str, ...], str]]:
    """mart -> {key: status}, the key a tuple of the mart's key columns."""
    found: dict[str, dict[tuple[str, ...], str]] = {}
    with duckdb.connect(str(out / "warehouse.duckdb"), read_only=True) as con:
        for mart, key in MARTS.items():
            rows = con.execute(f"select {', '.join(key)}, status from marts.{mart}").fetchall()
            found[mart] = {tuple(row[:-1]): row[-1] for row in rows}
            assert len(found[mart]) == len(rows), f"{mart}: key {key} is not unique"
    return found


def test_clean_world_is_all_matched(clean_world: Path):
    found = statuses(clean_world)
    for mart, rows in found.items():
        assert rows, f"{mart} is empty"
        flagged = {key: status for key, status in rows.items() if status != "matched"}
        assert not flagged, f"{mart}: {flagged}"
    # every journal line sent is posted as sent by the clean world's ERP
    with duckdb.connect(str(clean_world / "warehouse.duckdb"), read_only=True) as con:
        sent, flagged = con.execute(
            "select count(*), count(*) filter (where status <> 'matched')"
            " from marts.rec_exports_erp"
        ).fetchone()
        lines = con.execute("select count(*) from marts.journal_lines").fetchone()[0]
    assert sent == lines and flagged == 0


def test_default_world_finds_every_answer_and_nothing_else(default_world: Path):
    found = statuses(default_world)
    answers = json.loads((default_world / "answer_key.json").read_text())
    expected: dict[str, dict[tuple[str, ...], str]] = {mart: {} for mart in MARTS}
    for entry in answers:
        if entry["mart"] in MARTS:
            assert set(entry["key"]) == set(MARTS[entry["mart"]]), entry
            key = tuple(entry["key"][column] for column in MARTS[entry["mart"]])
            expected[entry["mart"]][key] = entry["status"]
    for mart in MARTS:
        assert expected[mart], f"the answer key names nothing in {mart}"
        flagged = {key: status for key, status in found[mart].items() if status != "matched"}
        missed = {k: s for k, s in expected[mart].items() if found[mart].get(k) != s}
        spurious = {k: s for k, s in flagged.items() if expected[mart].get(k) != s}
        assert not missed, f"{mart}: not found with the expected status: {missed}"
        assert not spurious, f"{mart}: flagged but not in the answer key: {spurious}"


def test_default_world_finds_every_answer_key_entry_in_its_mart(default_world: Path):
    """Recall over the whole answer key: each entry, whatever its mart, is a row of that mart with
    the entry's key and status; and precision on the four rec marts: every row not in the answer
    key is matched."""
    answers = json.loads((default_world / "answer_key.json").read_text())
    assert {entry["mart"] for entry in answers} <= set(ANSWER_MARTS), "a mart the test ignores"
    wanted: dict[str, set[tuple]] = {mart: set() for mart in ANSWER_MARTS}
    for entry in answers:
        columns = ANSWER_MARTS[entry["mart"]]
        assert set(entry["key"]) == set(columns), entry
        key = tuple(str(entry["key"][column]) for column in columns)
        wanted[entry["mart"]].add((*key, entry["status"]))
    with duckdb.connect(str(default_world / "warehouse.duckdb"), read_only=True) as con:
        for mart, columns in ANSWER_MARTS.items():
            assert wanted[mart], f"the answer key names nothing in {mart}"
            selected = ", ".join(f"cast({c} as varchar)" for c in (*columns, "status"))
            rows = set(con.execute(f"select {selected} from marts.{mart}").fetchall())
            missed = wanted[mart] - rows
            assert not missed, f"{mart}: {len(missed)} entries not found, e.g. {sorted(missed)[:5]}"
            if mart in MARTS or mart == "rec_exports_erp":
                spurious = {row for row in rows if row[-1] != "matched"} - wanted[mart]
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


def test_summary_counts_every_reconciled_row(default_world: Path):
    """rec_summary: per reconciliation and status, its row counts add up to the mart's rows, and
    its variance totals to the mart's variances."""
    with duckdb.connect(str(default_world / "warehouse.duckdb"), read_only=True) as con:
        for mart in (*MARTS, "rec_exports_erp"):
            in_mart = con.execute(
                f"select status, count(*), coalesce(sum(variance), 0),"
                f" coalesce(sum(variance_functional), 0)"
                f" from marts.{mart} group by status order by status"
            ).fetchall()
            in_summary = con.execute(
                "select status, sum(row_count), sum(variance), sum(variance_functional)"
                " from marts.rec_summary where reconciliation = ? group by status order by status",
                [mart],
            ).fetchall()
            assert in_summary == in_mart, mart
            open_rows = con.execute(
                "select sum(open_row_count), sum(open_rows_0_30_days + open_rows_31_60_days"
                " + open_rows_61_90_days + open_rows_over_90_days)"
                " from marts.rec_summary where reconciliation = ?",
                [mart],
            ).fetchone()
            assert open_rows[0] == open_rows[1], mart


def test_default_world_moves_exactly_the_answer_keys_journals(default_world: Path):
    """journal_lines: the answer key's closed-period postings (by source_id) are all
    moved_to_open_period, and no other journal line is."""
    answers = json.loads((default_world / "answer_key.json").read_text())
    expected = {
        entry["key"]["source_id"]
        for entry in answers
        if entry["mart"] == "journal_lines" and entry["status"] == "moved_to_open_period"
    }
    assert expected, "the answer key names nothing in journal_lines"
    with duckdb.connect(str(default_world / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute("select source_id, status from marts.journal_lines").fetchall()
    assert {source for source, _ in rows} >= expected
    for source, status in rows:
        assert (status == "moved_to_open_period") == (source in expected), (source, status)


def test_default_world_journals_carry_the_document_totals(default_world: Path):
    """Each document's journal puts its total on receivable: an invoice debits its total, a credit
    note credits its total, a payment credits and a refund debits its amount."""
    receivable = "1200"
    with duckdb.connect(str(default_world / "warehouse.duckdb"), read_only=True) as con:
        wrong = con.execute(
            """
            with ar as (
                select source_type, source_id, sum(debit) as debit, sum(credit) as credit
                from marts.journal_lines where account = ? group by all
            ),
            documents as (
                select 'invoice' as source_type, invoice_id as source_id, total as debit,
                       0 as credit
                from marts.invoices
                where invoice_status not in ('draft', 'void') and finalized_at is not null
                union all
                select 'credit_note', credit_note_id, 0, total from marts.credit_notes
                where credit_note_status = 'issued'
                union all
                select 'payment', payment_id, 0, amount from marts.payments
                where charge_status = 'succeeded'
                union all
                select 'refund', refund_id, amount, 0 from marts.refunds
                where refund_status = 'succeeded'
            )
            select d.source_type, d.source_id, d.debit, d.credit, ar.debit, ar.credit
            from documents as d
            left join ar on d.source_type = ar.source_type and d.source_id = ar.source_id
            where ar.debit is distinct from d.debit or ar.credit is distinct from d.credit
            """,
            [receivable],
        ).fetchall()
    assert not wrong, wrong


def test_clean_world_journals_equal_what_the_erp_holds(clean_world: Path):
    """On the clean world the ERP holds exactly the journals usage-to-cash derives: per External
    ID and account, the same net amount in transaction and in functional currency (every kind of
    journal, processor fees, realized FX and accruals included)."""
    with duckdb.connect(str(clean_world / "warehouse.duckdb"), read_only=True) as con:
        ours = con.execute("select count(distinct journal_id) from marts.journal_lines").fetchone()
        assert ours[0] > 0
        different = con.execute(
            """
            with ours as (
                select external_id, account, sum(debit - credit) as amount,
                       sum(functional_debit - functional_credit) as functional_amount
                from marts.journal_lines group by all
            ),
            erp as (
                select external_id, account_number as account, sum(foreign_amount) as amount,
                       sum(coalesce(debit, 0) - coalesce(credit, 0)) as functional_amount
                from marts.gl_lines where external_id like 'U2C-%' group by all
            )
            select coalesce(o.external_id, e.external_id), coalesce(o.account, e.account),
                   o.amount, e.amount, o.functional_amount, e.functional_amount
            from ours as o
            full outer join erp as e on o.external_id = e.external_id and o.account = e.account
            where o.amount is distinct from e.amount
               or o.functional_amount is distinct from e.functional_amount
            """
        ).fetchall()
    assert not different, different
