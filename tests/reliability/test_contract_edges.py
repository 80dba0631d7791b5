"""The issue's named edge cases, one by one, with the outcome each must have (the fuzzing in
test_contract_fuzz.py only proves that no outcome is a crash)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from sources.contract import Rejection
from sources.landing import land_file
from sources.registry import CONTRACTS, USAGE_EVENTS
from tests.reliability.fuzz import DECIMAL_38_9_MAX, csv_payload, json_line

BY_ID = {f"{c.system}/{c.table}": c for c in CONTRACTS}


def outcome(contract, record: dict) -> object:
    """The landed row, or the Rejection."""
    try:
        return contract.validate(dict(record))
    except Rejection as rejection:
        return rejection


@pytest.mark.parametrize(
    ("table", "column", "value", "landed"),
    [
        # DECIMAL(38, 9) money at its limit lands exactly; one digit more is out_of_range
        ("erp/transactionaccountingline", "amount", "99999999999999999999999999999.9999",
         Decimal("99999999999999999999999999999.9999")),
        ("erp/transactionaccountingline", "amount", "100000000000000000000000000000", None),
        # DECIMAL(38, 12) rates: a 19-digit rate (beyond the default 28-digit decimal context)
        ("erp/consolidatedexchangerate", "averagerate", "9223372036854775807",
         Decimal("9223372036854775807")),
        ("erp/consolidatedexchangerate", "averagerate", "100000000000000000000000000", None),
    ],
)  # fmt: skip
def test_decimals_at_the_limits_of_decimal_38_land_or_are_rejected(
    seeds, table, column, value, landed
):
    contract = BY_ID[table]
    record = {**seeds[table][0], column: value}
    got = outcome(contract, record)
    if landed is None:
        assert isinstance(got, Rejection) and got.reason_code == "out_of_range", got
    else:
        assert not isinstance(got, Rejection), got
        assert got[column] == landed


def usage_event(seeds, **data) -> dict:
    event = json.loads(json.dumps(seeds["usage/events"][0], default=str), parse_float=Decimal)
    event["data"].update(data)
    return event


@pytest.mark.parametrize(
    ("quantity", "code"),
    [
        (0, None),
        (Decimal("0.000000001"), None),
        (DECIMAL_38_9_MAX, None),
        (10**29, "out_of_range"),
        (Decimal("0.0000000001"), "too_many_decimals"),
        (-1, "negative_quantity"),
    ],
)
def test_zero_and_huge_usage_quantities(seeds, quantity, code):
    got = outcome(USAGE_EVENTS, usage_event(seeds, quantity=quantity))
    if code is None:
        assert not isinstance(got, Rejection), got
        assert got["data_quantity"] == Decimal(quantity)
    else:
        assert isinstance(got, Rejection) and got.reason_code == code, got


@pytest.mark.parametrize(
    ("time", "utc"),
    [
        ("2026-03-08T02:30:00-05:00", "2026-03-08 07:30:00"),  # US DST start, local offset kept
        ("2026-11-01T01:30:00-04:00", "2026-11-01 05:30:00"),  # the first 01:30 of US DST end
        ("2026-11-01T01:30:00-05:00", "2026-11-01 06:30:00"),  # the second one
        ("2028-02-29T23:59:59.999999Z", "2028-02-29 23:59:59.999999"),  # leap day
        ("2026-09-01T00:00:00+14:00", "2026-08-31 10:00:00"),  # a period boundary, far east
        ("2099-12-31T23:59:59Z", "2099-12-31 23:59:59"),
    ],
)
def test_event_times_across_dst_leap_days_and_period_boundaries(seeds, time, utc):
    event = usage_event(seeds)
    event["time"] = time
    got = outcome(USAGE_EVENTS, event)
    assert not isinstance(got, Rejection), got
    assert str(got["time"]) == utc


@pytest.mark.parametrize(
    ("time", "code"),
    [
        ("2100-01-01T00:00:00Z", "timestamp_out_of_range"),  # far in the future
        ("1999-12-31T23:59:59Z", "timestamp_out_of_range"),  # before any contract could exist
        ("2027-02-29T00:00:00Z", "bad_timestamp"),  # no leap day in 2027
        ("2026-09-01T00:00:00", "timestamp_without_offset"),
    ],
)
def test_impossible_event_times_are_rejected(seeds, time, code):
    event = usage_event(seeds)
    event["time"] = time
    got = outcome(USAGE_EVENTS, event)
    assert isinstance(got, Rejection) and got.reason_code == code, got


def land_lines(tmp_path: Path, contract, lines: list[bytes], name: str) -> tuple:
    path = tmp_path / "inbox" / contract.system / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\n".join(lines) + b"\n")
    result = land_file(path, contract, tmp_path / "lake")
    bad = list((tmp_path / "lake" / "quarantine").rglob(f"{result.batch_id}.parquet"))
    return result, pq.read_table(bad[0]).to_pylist() if bad else []


def test_unicode_and_control_characters_land_as_sent(seeds, tmp_path):
    name = "名前 \u202eevil\u202c\x00\x1b[31m \U0001f4b8 =cmd|' /C calc'!A0"
    record = {**seeds["billing/customers"][0], "name": name}
    result, rejected = land_lines(
        tmp_path, BY_ID["billing/customers"], [json_line(record)], "customers.jsonl"
    )
    assert (result.rows_landed, rejected) == (1, [])
    [landed] = list((tmp_path / "lake" / "raw").rglob(f"{result.batch_id}.parquet"))
    assert pq.read_table(landed).column("name").to_pylist() == [name]


def test_a_lone_surrogate_is_quarantined_not_a_crash(seeds, tmp_path):
    """JSON can escape half a UTF-16 pair; no UTF-8 file can hold that string, the writer
    would fail on it, so the reader rejects the line."""
    record = {**seeds["billing/customers"][0], "name": "\ud800"}
    good = json_line(seeds["billing/customers"][1])
    line = json.dumps(record, default=str).encode()
    result, rejected = land_lines(
        tmp_path, BY_ID["billing/customers"], [line, good], "customers.jsonl"
    )
    assert (result.rows_read, result.rows_landed) == (2, 1)
    assert [r["reason_code"] for r in rejected] == ["invalid_unicode"]
    assert rejected[0]["payload"] == line.decode()


def test_duplicate_ids_with_different_payloads(seeds, tmp_path):
    """Usage: the first delivery counts, a different payload under the same (source, id) is a
    quarantined conflict. Billing objects: a later version of the same id is a new fact (an
    invoice that got paid) and lands beside the first."""
    first = usage_event(seeds)
    second = usage_event(seeds, quantity=first["data"]["quantity"] + 1)
    result, rejected = land_lines(
        tmp_path, USAGE_EVENTS, [json_line(first), json_line(second)], "events_dup.jsonl"
    )
    assert (result.rows_landed, [r["reason_code"] for r in rejected]) == (
        1,
        ["conflicting_duplicate"],
    )
    invoice = seeds["billing/invoices"][0]
    paid = {**invoice, "status": "paid" if invoice["status"] != "paid" else "open"}
    result, rejected = land_lines(
        tmp_path, BY_ID["billing/invoices"], [json_line(invoice), json_line(paid)], "invoices.jsonl"
    )
    assert (result.rows_landed, rejected) == (2, [])


@pytest.mark.parametrize(
    ("currency", "exact", "too_fine"), [("JPY", "12", "12.5"), ("KWD", "12.345", "12.3456")]
)
def test_zero_and_three_decimal_currencies_in_the_crm(seeds, currency, exact, too_fine):
    """A platform fee in JPY takes no decimals, in KWD three, as ISO 4217 says."""
    contract = BY_ID["crm/contract_amendments"]
    record = {**seeds["crm/contract_amendments"][0], "currency": currency}
    assert not isinstance(outcome(contract, {**record, "platform_fee": exact}), Rejection)
    rejected = outcome(contract, {**record, "platform_fee": too_fine})
    assert isinstance(rejected, Rejection) and rejected.reason_code == "too_many_decimals"


def test_fuzz_helpers_write_what_the_readers_read(seeds, tmp_path):
    """csv_payload / json_line round-trip the world's records (the fuzzing's own footing)."""
    contract = BY_ID["crm/accounts"]
    records = seeds["crm/accounts"]
    path = tmp_path / "accounts.csv"
    path.write_bytes(csv_payload(sorted(records[0]), records))
    assert [r for _, r, _ in contract.reader(path)] == records
