"""The issue's named edge cases, one by one, with the outcome each must have (the fuzzing in
test_contract_fuzz.py only proves that no outcome is a crash)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from sources.contract import Rejection
from sources.landing import land_file
from sources.readers import _parse_json_line, loads_i_json
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
    """The demo world's first gateway roll-up (meter api_calls: SUM of data.requests)."""
    [event] = [e for e in seeds["usage/events"] if e["type"] == API_REQUESTS][:1]
    event = json.loads(json.dumps(event, default=str), parse_float=Decimal)
    event["data"].update(data)
    return event


API_REQUESTS = "com.example.api.requests"
METERS_SEED = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "meters.csv"
METERS_TYPES = {
    "valid_from": "date",
    "valid_to": "date",
    "billable": "boolean",
    "unit_divisor": "bigint",
}


def load_meters(con: duckdb.DuckDBPyConnection, compiled: dict[str, str]) -> None:
    """The checked-in meters seed and int_meters in the attached `warehouse`."""
    for schema in ("main", "intermediate"):
        con.execute(f"create schema if not exists warehouse.{schema}")
    types = ", ".join(f"'{c}': '{t}'" for c, t in METERS_TYPES.items())
    con.execute(
        "create table warehouse.main.meters as select * from read_csv(?, header = true,"
        f" all_varchar = true, types = {{{types}}})",
        [str(METERS_SEED)],
    )
    con.execute(f"create table warehouse.intermediate.int_meters as {compiled['int_meters']}")


def meter(compiled: dict[str, str], landed: dict) -> dict:
    """The metering model's row for one landed event (api_calls), on the checked-in meters seed:
    the warehouse decides what a value means, landing only keeps it as sent."""
    with duckdb.connect() as con:
        con.execute("attach ':memory:' as warehouse")
        load_meters(con, compiled)
        con.execute(
            "create table warehouse.intermediate.int_usage_subjects (subject_key varchar,"
            " valid_from timestamp, valid_to timestamp, subscription_id varchar,"
            " account_id varchar, stripe_customer_id varchar)"
        )
        con.execute(
            "create table warehouse.intermediate.int_usage_events_deduplicated as select"
            " ?::varchar as event_source, ?::varchar as event_id, ?::varchar as event_type,"
            " ?::varchar as subject, ?::varchar as data_content_type, ?::varchar as data,"
            " ?::varchar as data_base64, ?::timestamp as occurred_at,"
            " timestamp '2026-10-01' as landed_at, 'b1' as batch_id",
            [
                landed["source"], landed["id"], landed["type"], landed["subject"],
                landed["datacontenttype"], landed["data"], landed["data_base64"], landed["time"],
            ],
        )  # fmt: skip
        cursor = con.execute(compiled["int_usage_events_metered"])
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    [row] = [r for r in rows if r["metric"] == "api_calls"]
    return row


@pytest.mark.parametrize(
    ("requests", "landing_code", "meter_status", "value"),
    [
        ("0", None, "metered", Decimal(0)),
        ("0.000000001", None, "metered", Decimal("0.000000001")),
        ("9007199254740993", None, "metered", Decimal(9007199254740993)),  # beyond 2^53, exact
        ("100000000000000000000000000000", None, "value_not_representable", None),  # 10^29
        ("0.0000000001", None, "value_not_representable", None),  # a 10th decimal
        ("1e300", None, "value_not_representable", None),
        ('"12"', None, "metered", Decimal(12)),  # a numeric string, as OpenMeter reads it
        # the integer texts take a faster cast than the others (macro meter_value_decimal): the
        # same values and the same refusals either way
        ('" 7 "', None, "metered", Decimal(7)),
        ('"+7"', None, "metered", Decimal(7)),
        ('"-7"', None, "metered", Decimal(-7)),
        ('"1e3"', None, "metered", Decimal(1000)),
        ('"2.5"', None, "metered", Decimal("2.5")),
        ('"99999999999999999999999999999"', None, "metered", Decimal(10**29 - 1)),
        ('"999999999999999999999999999999"', None, "value_not_representable", None),
        ('"0x10"', None, "value_not_a_number", None),
        ("1E3", None, "metered", Decimal(1000)),
        ('"twelve"', None, "value_not_a_number", None),
        ("null", None, "value_missing", None),
        # more digits than a double keeps: refused at landing, never silently rounded
        (str(DECIMAL_38_9_MAX), "imprecise_number", None, None),
    ],
)
def test_zero_and_huge_usage_values(seeds, compiled, requests, landing_code, meter_status, value):
    """Landing checks the envelope and keeps data as sent (only a number JSON readers would
    change is refused); the meter that reads the value meters it exactly, or counts the event
    as unmetered with the reason."""
    line = (
        json_line(usage_event(seeds, requests=None))
        .replace(b'"requests":null', f'"requests":{requests}'.encode())
        .replace(b'"requests": null', f'"requests": {requests}'.encode())
    )
    parsed, _ = _parse_json_line(line, loads_i_json)
    got = parsed if isinstance(parsed, Rejection) else outcome(USAGE_EVENTS, parsed)
    if landing_code is not None:
        assert isinstance(got, Rejection) and got.reason_code == landing_code, got
        return
    assert not isinstance(got, Rejection), got
    metered = meter(compiled, got)
    assert (metered["meter_status"], metered["value"]) == (meter_status, value), metered


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
    second = usage_event(seeds, requests=first["data"]["requests"] + 1)
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
