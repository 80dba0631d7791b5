"""The vectorized landing path for usage events: DuckDB reads and types a whole file at once.

It only ever *accepts*: each check here is at least as strict as `events.validate`, and the
typed values and the fingerprint are the same. A file with any line outside that accepted
subset (malformed JSON, a blank line, a duplicated key, a missing field, an exponent in a
quantity, a negative number, ...) raises `FastPathDeclined`, and landing falls back to the
row-by-row path, which names the reason. So there is one set of rules for rejections, and the
common clean file lands at columnar speed.

How a line is vouched for:
- DuckDB's `read_json` parses each line once, straight from the file, into JSON-typed fields
  (`data` into a map): no Python touches the lines. It refuses (so the file is declined) a line
  that is not one JSON object, a duplicated top-level key (Python would keep the last one, JSON
  functions the first; in `data` the map's keys are checked), a `data` that is not an object,
  invalid UTF-8 and raw control characters.
- It skips blank lines silently, so the rows it returns are counted against the file's lines
  (counted in Python, split on b"\\n" exactly like the row path): equal counts mean row i is
  line i. Rows are numbered in file order (one DuckDB thread, insertion order preserved).
- A JSON number reaches SQL as a double and its text is lost: 0.30000000000000001 reads as
  0.3 and 123456789012345.123456789 as 123456789012345.12, where the row path sees the exact
  decimal. A decimal that differs from its double's shortest text has at least 16 digits, so
  when a landed quantity has a fraction, its raw line is checked for a run of 16 digits (and a
  point). Whole numbers are exact: DuckDB reads them as integers, or as text when too big.
"""

from __future__ import annotations

import contextlib
import gzip
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from sources.contract import FastPathDeclined
from sources.usage.events import FINGERPRINT_FIELDS, SCHEMA, SEPARATOR

# Rows per Arrow batch (and Parquet row group): bounds the memory of one file in flight.
BATCH_ROWS = 122_880
# One thread per reader: landing runs readers in parallel, one per file.
CONNECTION_CONFIG = {"threads": 1, "memory_limit": "512MB", "preserve_insertion_order": True}

_TOP = ["specversion", "id", "source", "type", "subject", "time", "datacontenttype"]
_DATA = ["metric", "subscription", "customer", "plan_tier", "region"]

_RFC3339 = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$"
# Shortest texts of doubles: at most 15 integer digits and 9 places, never an exponent or a
# sign. Whole numbers are exact (DuckDB reads them as integers, or as text when too big).
_QUANTITY = r"^\d{1,15}(\.\d{1,9})?$"
_WHOLE = r"^\d{1,20}$"
# A JSON number with 16 or more significant digits: the only kind a double can misread.
_LONG_NUMBER = re.compile(rb"[0-9]{16}|[0-9.]{17,}")
_GLOB = re.compile(r"[*?\[\]{}]")


def _string(leaf: str) -> tuple[str, str]:
    """(is a JSON string, its value) for a JSON-typed leaf; a JSON null is SQL null."""
    return f"left({leaf}, 1) = '\"'", f"case when left({leaf}, 1) = '\"' then {leaf} ->> '$' end"


# The fingerprint `events.fingerprint` computes, as SQL over the typed columns.
_FINGERPRINT = "sha256(concat_ws(chr(31), {}))".format(
    ", ".join(
        "strftime(time, '%Y-%m-%dT%H:%M:%S.%f')"
        if name == "time"
        else f"coalesce(cast({name} as varchar), '')"
        for name in FINGERPRINT_FIELDS
    )
)
assert chr(31) == SEPARATOR


def _typed_sql() -> str:
    columns = ", ".join(f"{name}: 'JSON'" for name in _TOP) + ", data: 'MAP(VARCHAR, JSON)'"
    leaves = [(name, f"j_{name}", "time_text" if name == "time" else name) for name in _TOP]
    leaves += [(name, f"d['{name}']", f"data_{name}") for name in _DATA]
    typed = []
    for name, leaf, alias in leaves:
        is_string, value = _string(leaf)
        # an optional string may be absent or JSON null (both SQL null), never another type
        typed.append(f"{leaf} is null as {name}_missing, {is_string} as {name}_is_string")
        typed.append(f"{value} as {alias}")
    typed_fields = ",\n        ".join(typed)
    return f"""
with source_rows as (
    select
        row_number() over () as line_number,
        {", ".join(f"{name} as j_{name}" for name in _TOP)},
        data as d
    from read_json(
        $path, format = 'newline_delimited', records = true,
        compression = $compression, columns = {{{columns}}}
    )
),
typed as (
    select
        line_number,
        -- the same text as json_extract(line, '$.data'): DuckDB's minified JSON
        to_json(d)::varchar as data,
        d['quantity']::varchar as quantity_text,
        d['contract_version']::varchar as version_text,
        -- read_json refuses a duplicated key at the top level, but a map keeps both
        len(list_distinct(map_keys(d))) = cardinality(d) as data_keys_unique,
        {typed_fields}
    from source_rows
),
checked as (
    select
        *,
        timezone('UTC', try_cast(time_text as timestamptz)) as time,
        case
            -- parsing text into decimal(38, 9) is slow; whole numbers go through ubigint
            when regexp_full_match(quantity_text, '{_WHOLE}')
                then cast(try_cast(quantity_text as ubigint) as decimal(38, 9))
            when regexp_full_match(quantity_text, '{_QUANTITY}')
                then try_cast(quantity_text as decimal(38, 9))
        end as data_quantity,
        try_cast(version_text as bigint) as data_contract_version,
        data_keys_unique
        and specversion_is_string and specversion = '1.0'
        and id_is_string and id <> ''
        and source_is_string and source <> ''
        and type_is_string and type <> ''
        and (subject_missing or subject_is_string)
        and (datacontenttype_missing or datacontenttype_is_string)
        and time_is_string and regexp_full_match(time_text, '{_RFC3339}')
        and metric_is_string and data_metric <> ''
        and (subscription_missing or subscription_is_string)
        and (customer_missing or customer_is_string)
        and (coalesce(data_subscription, '') <> '' or coalesce(data_customer, '') <> '')
        and plan_tier_is_string and data_plan_tier <> ''
        and region_is_string and data_region <> ''
        and regexp_full_match(version_text, '^\\d{{1,10}}$') as accepted
    from typed
)
select
    line_number,
    coalesce(
        accepted
        and data_quantity is not null
        and time >= timestamp '2000-01-01' and time < timestamp '2100-01-01'
        and data_contract_version between 1 and 2147483647,
        false  -- a missing field makes the checks null: not accepted
    ) as accepted,
    coalesce(contains(quantity_text, '.'), false) as quantity_has_fraction,
    specversion, id, source, type, subject, time, datacontenttype,
    data_metric, data_quantity, data_subscription, data_customer,
    data_plan_tier, data_region, cast(data_contract_version as integer) as data_contract_version,
    {_FINGERPRINT} as payload_sha256,
    data
from checked
"""


TYPED_SQL = _typed_sql()
_OUTPUT = pa.schema([*SCHEMA, pa.field("line_number", pa.int64(), nullable=False)])


def connect() -> duckdb.DuckDBPyConnection:
    """A connection for `read_fast`; landing keeps one per worker."""
    return duckdb.connect(config=dict(CONNECTION_CONFIG))


def read_fast(path: Path, con: duckdb.DuckDBPyConnection | None = None) -> Iterator[pa.Table]:
    """Yield the rows as typed tables (SCHEMA plus line_number), or raise FastPathDeclined.

    Raised at any point, even after tables were yielded: the caller discards what it wrote.
    """
    with contextlib.ExitStack() as stack:
        if con is None:
            con = stack.enter_context(connect())
        yield from _read(path.resolve(), con)


def _read(path: Path, con: duckdb.DuckDBPyConnection) -> Iterator[pa.Table]:
    if _GLOB.search(str(path)):
        raise FastPathDeclined("read_json would take the file name for a pattern")
    lines = count_lines(path)
    if lines == 0:
        return  # nothing to type: the row path tells an empty file from an unreadable one
    compression = "gzip" if path.name.endswith(".gz") else "uncompressed"
    params = {"path": str(path), "compression": compression}
    rows = 0
    fractions: list[pa.Array] = []
    try:
        batches = con.execute(TYPED_SQL, params).fetch_record_batch(BATCH_ROWS)
        for batch in batches:
            table = pa.Table.from_batches([batch])
            if not pc.all(table["accepted"], skip_nulls=False).as_py():
                raise FastPathDeclined("a line needs the row-by-row checks")
            if pc.any(table["quantity_has_fraction"]).as_py():
                fractions.append(table["line_number"].filter(table["quantity_has_fraction"]))
            rows += table.num_rows
            yield table.select(_OUTPUT.names).cast(_OUTPUT)
    except (duckdb.Error, pa.ArrowException, OSError) as exc:
        # malformed JSON, a duplicated key, ... (surfacing mid-stream through Arrow as OSError)
        raise FastPathDeclined(str(exc)) from exc
    if rows != lines:
        raise FastPathDeclined(f"{lines} lines but {rows} JSON objects (a blank line?)")
    if fractions:
        _check_long_numbers(path, pa.chunked_array(fractions))


def _open(path: Path):
    return gzip.open(path, "rb") if path.name.endswith(".gz") else open(path, "rb")


def count_lines(path: Path, chunk_size: int = 1 << 20) -> int:
    """Lines as the row path reads them: split on b"\\n", a last line without one counts."""
    count, last = 0, b"\n"
    try:
        with _open(path) as fh:
            while chunk := fh.read(chunk_size):
                count += chunk.count(b"\n")
                last = chunk[-1:]
    except (EOFError, OSError) as exc:  # a truncated or corrupt gzip
        raise FastPathDeclined(f"unreadable: {exc}") from exc
    return count + (last != b"\n")


def _check_long_numbers(path: Path, line_numbers: pa.ChunkedArray) -> None:
    """Decline when a line whose quantity has a fraction holds a number of 16+ digits.

    `line_numbers` ascend (rows come in file order)."""
    wanted = iter(line_numbers.to_numpy())
    next_line = next(wanted, None)
    with _open(path) as fh:
        for line_number, raw in enumerate(fh, start=1):
            if line_number != next_line:
                continue
            if _LONG_NUMBER.search(raw):
                raise FastPathDeclined(f"line {line_number}: a number beyond double precision")
            next_line = next(wanted, None)
            if next_line is None:
                return
