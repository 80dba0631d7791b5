from __future__ import annotations

import copy
from datetime import datetime
from decimal import Decimal

import duckdb
import pytest

from sources.contract import Rejection
from sources.usage.events import canonical, validate

GOOD = {
    "specversion": "1.0",
    "id": "evt_1",
    "source": "//platform.example.com/eu-west/metering",
    "type": "com.example.api.request",
    "subject": "sub_1",
    "time": "2026-09-01T23:30:00.250+02:00",
    "data": {"method": "GET", "route": "/v1/items", "duration_ms": Decimal("12.5"), "ok": True},
}


def test_valid_event_keeps_its_payload_and_time_is_utc():
    row = validate(copy.deepcopy(GOOD))
    assert row["time"] == datetime(2026, 9, 1, 21, 30, 0, 250000)
    assert row["data"] == '{"method":"GET","route":"/v1/items","duration_ms":12.5,"ok":true}'
    assert row["id"] == "evt_1"
    assert row["extensions"] is None


def test_same_event_same_hash_and_attribute_order_does_not_matter():
    reordered = dict(reversed(list(copy.deepcopy(GOOD).items())))
    fingerprint = validate(copy.deepcopy(GOOD))["payload_fingerprint"]
    assert fingerprint == validate(reordered)["payload_fingerprint"]
    changed = copy.deepcopy(GOOD)
    changed["data"]["duration_ms"] = Decimal("13")
    assert validate(changed)["payload_fingerprint"] != fingerprint
    with_extension = {**copy.deepcopy(GOOD), "traceparent": "00-abc-01"}
    assert validate(with_extension)["payload_fingerprint"] != validate(GOOD)["payload_fingerprint"]


def test_null_attributes_are_unset_but_a_null_payload_is_kept():
    """CloudEvents JSON format 2.2 and 3.1.1: attributes sent as null are unset; data: null
    is an explicit null payload, distinct from no data."""
    row = validate({**copy.deepcopy(GOOD), "subject": None, "unsetextension": None, "data": None})
    assert (row["subject"], row["extensions"], row["data"]) == (None, None, "null")


def _with(path: tuple[str, ...], value: object) -> dict:
    event = copy.deepcopy(GOOD)
    target = event
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return event


@pytest.mark.parametrize(
    ("event", "reason", "klass"),
    [
        (_with(("id",), KeyError), "missing_field", "schema"),
        (_with(("source",), ""), "missing_field", "schema"),
        (_with(("specversion",), "0.3"), "unknown_specversion", "schema"),
        (_with(("time",), "2026-09-01 10:00"), "timestamp_without_offset", "schema"),
        (_with(("time",), "yesterday"), "bad_timestamp", "schema"),
        (_with(("time",), "1970-01-01T00:00:00Z"), "timestamp_out_of_range", "business_rule"),
        (
            _with(("data", "duration_ms"), Decimal("0.30000000000000001")),
            "imprecise_number",
            "schema",
        ),
        (_with(("data", "duration_ms"), Decimal("1E+400")), "imprecise_number", "schema"),
        (_with(("data", "route"), "\ud800"), "invalid_unicode", "schema"),
        (_with(("data_base64",), "eyJ4IjoxfQ=="), "data_and_data_base64", "schema"),
        (_with(("datacontenttype",), 1), "wrong_type", "schema"),
        ([1, 2], "not_an_object", "schema"),
    ],
)
def test_rejections_name_their_reason(event, reason, klass):
    with pytest.raises(Rejection) as caught:
        validate(event)
    assert (caught.value.reason_code, str(caught.value.reason_class)) == (reason, klass)


@pytest.mark.parametrize(
    ("literal", "text"),
    [
        ("1.50000", "1.5"),
        ("1E2", "100.0"),
        ("-0.0", "-0.0"),
        ("1e16", "10000000000000000.0"),
        ("1e21", "1e21"),
        ("0.000001", "0.000001"),
        ("1e-7", "1e-7"),
        ("2.5e-10", "2.5e-10"),
        ("-1.5e300", "-1.5e300"),
    ],
)
def test_numbers_are_written_as_duckdb_writes_them(literal: str, text: str):
    [(duckdb_text,)] = (
        duckdb.connect().execute("select json_extract(?, '$')::varchar", [literal]).fetchall()
    )
    assert canonical(Decimal(literal)) == duckdb_text == text


@pytest.mark.parametrize(
    ("sent", "utc"),
    [
        ("2027-01-01T00:30:00+01:00", datetime(2026, 12, 31, 23, 30)),  # Paris: still 2026 in UTC
        ("2026-12-31T20:00:00-05:00", datetime(2027, 1, 1, 1, 0)),  # New York: already 2027
        ("2026-09-01T08:59:59.999999+09:00", datetime(2026, 8, 31, 23, 59, 59, 999999)),  # Tokyo
        ("2026-10-01T00:00:00Z", datetime(2026, 10, 1)),
    ],
)
def test_event_time_is_normalized_to_utc_across_zones_and_year_ends(sent, utc):
    # billing periods are UTC months, so the zone decides the period at month and year ends
    assert validate(_with(("time",), sent))["time"] == utc
