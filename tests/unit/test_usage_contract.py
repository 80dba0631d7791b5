from __future__ import annotations

import copy
from datetime import datetime
from decimal import Decimal

import pytest

from sources.contract import Rejection
from sources.usage.events import validate

GOOD = {
    "specversion": "1.0",
    "id": "evt_1",
    "source": "//platform.example.com/eu-west/metering",
    "type": "com.example.usage.recorded",
    "subject": "sub_1",
    "time": "2026-09-01T23:30:00.250+02:00",
    "data": {
        "metric": "api_calls",
        "quantity": Decimal("12.5"),
        "subscription": "sub_1",
        "customer": "cus_1",
        "plan_tier": "growth",
        "region": "eu-west",
        "contract_version": 2,
    },
}


def test_valid_event_is_typed_and_time_is_utc():
    row = validate(copy.deepcopy(GOOD))
    assert row["time"] == datetime(2026, 9, 1, 21, 30, 0, 250000)
    assert row["data_quantity"] == Decimal("12.5")
    assert row["data_contract_version"] == 2
    assert row["id"] == "evt_1"


def test_same_event_same_hash_and_key_order_does_not_matter():
    reordered = dict(reversed(list(copy.deepcopy(GOOD).items())))
    assert validate(copy.deepcopy(GOOD))["payload_sha256"] == validate(reordered)["payload_sha256"]
    changed = copy.deepcopy(GOOD)
    changed["data"]["quantity"] = Decimal("13")
    assert validate(changed)["payload_sha256"] != validate(copy.deepcopy(GOOD))["payload_sha256"]


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
        (_with(("data", "quantity"), Decimal("-1")), "negative_quantity", "business_rule"),
        (_with(("data", "quantity"), "lots"), "wrong_type", "schema"),
        (_with(("data", "quantity"), True), "wrong_type", "schema"),
        (_with(("data", "quantity"), KeyError), "missing_field", "schema"),
        (_with(("data", "quantity"), Decimal("1.0000000001")), "too_many_decimals", "schema"),
        (_with(("data", "metric"), 7), "wrong_type", "schema"),
        (_with(("data", "contract_version"), "2"), "wrong_type", "schema"),
        (_with(("data", "contract_version"), 0), "contract_version_out_of_range", "business_rule"),
        (_with(("data",), "not an object"), "missing_field", "schema"),
        ([1, 2], "not_an_object", "schema"),
    ],
)
def test_rejections_name_their_reason(event, reason, klass):
    with pytest.raises(Rejection) as caught:
        validate(event)
    assert (caught.value.reason_code, str(caught.value.reason_class)) == (reason, klass)


def test_customer_reference_alone_is_enough_but_one_is_required():
    no_sub = _with(("data", "subscription"), KeyError)
    assert validate(no_sub)["data_customer"] == "cus_1"
    neither = _with(("data", "customer"), KeyError)
    del neither["data"]["subscription"]
    with pytest.raises(Rejection) as caught:
        validate(neither)
    assert caught.value.reason_code == "missing_field"


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
