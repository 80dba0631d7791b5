"""Metering streams: its memory does not grow with the events it meters.

At stop 31 `int_usage_events_metered` ran out of its 4 GB at 20M events: it resolved each
event's subject with window functions over every event's row, and found the unclaimed events by
joining every event against the claimed ones, so DuckDB held every event in memory at once. The
same shape is tested here at a small scale: 600,000 events under a 128 MB limit, about 220 bytes
per event (the failing build had 200 per event; the old model needs more than 192 MB here), with
the spill directory beside the database.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from tests.reliability.test_contract_edges import load_meters

EVENTS = 600_000
SUBSCRIPTIONS = 40


def _world(con: duckdb.DuckDBPyConnection, compiled: dict[str, str]) -> None:
    load_meters(con, compiled)
    # each subscription named by itself always, and by its customer id for part of the time
    con.execute(
        "create table warehouse.intermediate.int_usage_subjects as"
        " select 'sub_' || i as subject_key, 'sub_' || i as subscription_id,"
        " 'acc_' || i as account_id, 'cus_' || i as stripe_customer_id,"
        " null::date as valid_from, null::date as valid_to from range(?) t(i)"
        " union all"
        " select 'cus_' || i, 'sub_' || i, 'acc_' || i, 'cus_' || i, date '2026-08-01',"
        " date '2026-08-20' from range(?) t(i)",
        [SUBSCRIPTIONS, SUBSCRIPTIONS],
    )
    # API roll-ups (two meters, one filtered), seats (a filtered meter) and a type no meter reads
    con.execute(
        "create table warehouse.intermediate.int_usage_events_deduplicated as select"
        " '//platform.example.com/eu-west/metering' as event_source,"
        " 'evt_' || lpad(i::varchar, 9, '0') as event_id,"
        " ['com.example.api.requests', 'com.example.seat.active', 'com.example.other'][i % 3 + 1]"
        "   as event_type,"
        " case when i % 5 = 0 then 'cus_' else 'sub_' end || (i % ?) as subject,"
        " 'application/json' as data_content_type,"
        " case i % 3"
        '   when 0 then \'{"route":"/v1/items","method":"GET","status":\''
        "     || (case when i % 16 = 0 then 503 else 200 end) || ',\"requests\":' || (i % 97)"
        "     || ',\"duration_ms\":' || (i % 1013) || '}'"
        '   else \'{"user_id":"usr_\' || (i % 50) || \'","role":"\''
        "     || (case when i % 8 = 0 then 'viewer' else 'editor' end) || '\"}'"
        " end as data,"
        " null::varchar as data_base64,"
        " timestamp '2026-08-01' + to_seconds(i * 11) as occurred_at,"
        " timestamp '2026-09-01' + to_seconds(i // 1000) as landed_at,"
        " 'batch_' || (i // 50000) as batch_id"
        " from range(?) t(i)",
        [SUBSCRIPTIONS, EVENTS],
    )


def test_metering_meters_600k_events_under_128mb(compiled, tmp_path: Path) -> None:
    with duckdb.connect() as con:
        # on disk, as the warehouse is: only what metering holds counts against the limit
        con.execute(f"attach '{tmp_path / 'warehouse.duckdb'}' as warehouse")
        _world(con, compiled)
        con.execute(f"set temp_directory = '{tmp_path / 'spill'}'")
        con.execute("set memory_limit = '128MB'")
        con.execute("set preserve_insertion_order = false")
        con.execute(
            f"create table warehouse.main.metered as {compiled['int_usage_events_metered']}"
        )
        statuses = dict(
            con.execute(
                "select meter_status, count(*) from warehouse.main.metered group by all"
            ).fetchall()
        )

        def count(condition: str) -> int:
            sql = f"select count(*) from range(?) t(i) where {condition}"
            return con.execute(sql, [EVENTS]).fetchone()[0]

        api, seats = count("i % 3 = 0"), count("i % 3 = 1")
        errors, viewers = count("i % 3 = 0 and i % 16 = 0"), count("i % 3 = 1 and i % 8 = 0")
        # every api roll-up metered as api_calls, the 503s as api_errors too; every seat event
        # but the viewers' metered; the viewers filtered out; the other type read by no meter
        assert statuses == {
            "metered": api + errors + seats - viewers,
            "filtered_out": viewers,
            "no_meter": EVENTS - api - seats,
        }
        # the customer key resolves to its subscription inside its validity, and is sent on as
        # unmapped usage outside it
        resolved = dict(
            con.execute(
                "select is_resolved, count(*) from warehouse.main.metered"
                " where subject_key like 'cus_%' and meter_status = 'metered' group by all"
            ).fetchall()
        )
        assert resolved[True] > 0 and resolved[False] > 0
