"""The first delivery wins, by delivery time, end to end on the default world: its re-delivered
file (`events_<day>-redelivery.jsonl`, name sorts before the day file, delivered after the month's
invoice) and its intra-day extract (`events_<day>_intraday.jsonl`, name sorts after the day file,
delivered first) land in one run with everything else."""

from __future__ import annotations

from pathlib import Path

import duckdb


def rows(world: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(world / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_a_redelivery_named_to_sort_first_is_the_duplicate_and_nothing_turns_late(
    default_world: Path,
):
    [redelivery] = (default_world / "inbox" / "usage").glob("events_*-redelivery.jsonl")
    day_file = f"{redelivery.name[:17]}.jsonl"
    lines = len(redelivery.read_text().splitlines())
    kept_in = rows(
        default_world,
        "select kept_file_name, count(*) from marts.ops_usage_duplicates"
        " where file_name = ? group by all",
        [redelivery.name],
    )
    assert kept_in == [(day_file, lines)]
    assert not rows(
        default_world,
        "select 1 from intermediate.int_usage_events_deduplicated where file_name = ?",
        [redelivery.name],
    )
    [(subscription,)] = rows(
        default_world,
        "select distinct e.subject from staging.stg_usage__events as e where e.file_name = ?",
        [redelivery.name],
    )
    # the invoice billed the on-time original: every metric of the month matches, none is late
    month = redelivery.name[7:14]
    found = rows(
        default_world,
        "select metric, status, late_technical_quantity, variance from marts.rec_usage_billing"
        " where subscription_id = ? and billing_period = ?",
        [subscription, month],
    )
    assert found and all(status == "matched" for _, status, _, _ in found), found
    assert all(late == 0 and variance == 0 for _, _, late, variance in found), found


def test_an_extract_delivered_first_under_a_later_name_is_the_one_kept(default_world: Path):
    [intraday] = (default_world / "inbox" / "usage").glob("events_*_intraday.jsonl")
    day_file = f"{intraday.name[:17]}.jsonl"
    lines = len(intraday.read_text().splitlines())
    kept = rows(
        default_world,
        "select count(*) from intermediate.int_usage_events_deduplicated where file_name = ?",
        [intraday.name],
    )
    assert kept == [(lines,)]
    assert rows(
        default_world,
        "select file_name, count(*) from marts.ops_usage_duplicates"
        " where kept_file_name = ? group by all",
        [intraday.name],
    ) == [(day_file, lines)]
