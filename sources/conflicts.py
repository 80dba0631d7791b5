"""Conflicting re-deliveries: lines of a new batch whose key was delivered before (in the lake,
or earlier in the same batch) with a different payload. The first delivery of a key is the
reference.

Memory stays bounded however big the batch: the old rows that share a key hash with the batch
are gathered once (matched on 64-bit key hashes: usually a handful of re-deliveries), then the
batch is checked in buckets of keys, CONFLICT_BUCKET_ROWS rows at a time; a key's rows all fall
in one bucket, so each bucket is exact on its own. The SQL is in `sources/sql/conflicts_*.sql`.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb

from sources.contract import Rejection, rule_error
from sources.readers import json_line_payloads, read_i_json_lines, read_json_lines
from sources.sql_files import column, render
from sources.table_contract import TableContract

# Rows of a new batch checked for conflicts at a time: bounds the memory of the check (a group
# by on 64-bit key hashes first, tens of bytes a row; DuckDB spills beyond its memory limit).
CONFLICT_BUCKET_ROWS = 4_000_000


def find_conflicts(
    new_rows: Path,
    table_dir: Path | list[str],
    contract: TableContract,
    con: duckdb.DuckDBPyConnection | None = None,
    earlier: set[str] | None = None,
) -> dict[int, Rejection]:
    """Line number -> the rejection of every conflicting line of the batch in `new_rows`,
    compared with the batches under `table_dir`, or in the files it lists (s3:// URIs on an
    object-storage lake, read through `con`'s httpfs), only those in `earlier`, when given."""
    if con is None:
        with duckdb.connect() as own:
            return find_conflicts(new_rows, table_dir, contract, own, earlier)
    if contract.conflict_hash is None or not contract.conflict_fields:
        raise ValueError("a conflict key needs a conflict hash column and the fields it covers")
    schema = contract.lake_schema
    key = [column(schema, k) for k in contract.conflict_key]
    hash_column = column(schema, contract.conflict_hash)
    time = column(schema, contract.conflict_time) if contract.conflict_time else None
    fields = [column(schema, f) for f in contract.conflict_fields]
    payload = "struct_pack(" + ", ".join(f"{f} := {f}" for f in fields) + ")"
    keys = ", ".join(key)
    old_keys = ", ".join(f"o.{k}" for k in key)
    if isinstance(table_dir, Path):
        old_files = [
            str(p) for p in table_dir.rglob("*.parquet") if not p.name.startswith(("_", "."))
        ]
    else:
        old_files = list(table_dir)
    if earlier is not None:  # re-landing a batch: only the batches landed before it count
        old_files = [f for f in old_files if f.rsplit("/", 1)[-1][: -len(".parquet")] in earlier]

    days = int(contract.conflict_window_days)
    key_ranges = ",\n    ".join(f"min({k}), max({k})" for k in key)
    time_range = (
        f",\n    min({time}) - interval {days} day, max({time}) + interval {days} day"
        if time
        else ""
    )
    rows, *stats = con.execute(
        render("conflicts_batch_range", key_ranges=key_ranges, time_range=time_range),
        {"new": str(new_rows)},
    ).fetchone()
    if not rows:
        return {}
    params: dict = {"new": str(new_rows), "old": old_files}
    in_range = []
    for i, k in enumerate(key):
        params[f"low_{i}"], params[f"high_{i}"] = stats[2 * i], stats[2 * i + 1]
        in_range.append(f"o.{k} between $low_{i} and $high_{i}")
    if time:
        # Constants, not parameters, so DuckDB skips row groups by their statistics; both are
        # timestamps DuckDB computed (checked here), never text from the file.
        low, high = stats[-2:]
        if not (isinstance(low, datetime) and isinstance(high, datetime)):
            raise TypeError(f"the time window must be timestamps, got {low!r}, {high!r}")
        low_text, high_text = low.isoformat(" "), high.isoformat(" ")
        in_range.append(f"o.{time} between timestamp '{low_text}' and timestamp '{high_text}'")
    try:
        if old_files:
            sql = render(
                "conflicts_old_matches",
                old_keys=old_keys,
                hash_column=hash_column,
                old_in_range="\n    and ".join(in_range),
                keys=keys,
                old_payload="struct_pack(" + ", ".join(f"{f} := o.{f}" for f in fields) + ")",
            )
            con.execute(sql, params)
        else:
            sql = render("conflicts_no_old", keys=keys, hash_column=hash_column, payload=payload)
            con.execute(sql, {"new": str(new_rows)})
        buckets = -(-rows // CONFLICT_BUCKET_ROWS)
        new_source = f"select {keys}, {hash_column} as h, line_number from read_parquet($new)"
        if buckets > 1:
            sql = render("conflicts_new_buckets", keys=keys, hash_column=hash_column)
            con.execute(sql, {"new": str(new_rows), "n": buckets})
            new_source = f"select {keys}, h, line_number from _new_rows where bucket = $b"
        find = render(
            "conflicts_find",
            new_rows=new_source,
            keys=keys,
            old_keys=old_keys,
            old_eq_first=" and ".join(f"o.{k} = f.{k}" for k in key),
            first_keys=", ".join(f"f.{k}" for k in key),
            reference_eq_new=" and ".join(f"r.{k} = n.{k}" for k in key),
            payload=payload,
        )
        found = []
        for bucket in range(buckets):
            params = {"new": str(new_rows), **({"b": bucket} if buckets > 1 else {})}
            found += con.execute(find, params).fetchall()
    finally:
        con.execute("drop table if exists _old_matches")
        con.execute("drop table if exists _new_rows")
    where_seen = {True: "landed before", False: "earlier in this file"}
    names = ", ".join(contract.conflict_key)
    return {
        line: rule_error(
            "conflicting_duplicate",
            f"same ({names}) as an event {where_seen[seen]}, but a different payload",
        )
        for line, seen in sorted(found)
    }


def conflict_payloads(contract: TableContract, path: Path, lines: set[int]):
    """(line number, payload text) of the given lines of the file, for their quarantine rows."""
    if contract.reader in (read_json_lines, read_i_json_lines):  # the text alone, no parsing
        yield from json_line_payloads(path, lines)
        return
    for line_number, _parsed, payload in contract.reader(path):
        if line_number in lines:
            yield line_number, payload
