"""The vectorized landing path for usage events: DuckDB reads and types a whole file at once.

It only ever *accepts*: each check here is at least as strict as `events.validate`, and the
typed values, the canonical JSON and the fingerprint are the same. A file with any line outside
that accepted subset (malformed JSON, a blank line, a duplicated key, a missing attribute, a
`data_base64`, a nested object in `data`, ...) raises `FastPathDeclined`, and landing falls back
to the row-by-row path, which names the reason. So there is one set of rules for rejections,
and the common clean file lands at columnar speed.

How a line is vouched for:
- DuckDB's `read_ndjson_objects` reads each line, straight from the file, as its raw JSON text
  (no Python touches the lines); one `json_transform` to a MAP(VARCHAR, JSON) parses it once
  and renders every member as canonical JSON (DuckDB's own writer is the definition of it):
  the envelope's members are taken from it by position when the line's member names are the
  first line's (most lines), else by name; a repeated name stays in the map twice and is
  counted. A line that is not one JSON object (or holds two), invalid UTF-8 and raw control
  characters fail the read.
- It skips blank lines silently, so the rows it returns must be the file's lines (split on
  b"\\n" exactly like the row path): an uncompressed file ending in a newline whose size is
  the rows' texts plus one newline each has no blank line (`_a_line_each`); any other file's
  lines are counted in Python. Then row i is line i. Rows are numbered in file order (one
  DuckDB thread, insertion order preserved).
- A JSON number reaches DuckDB as a double and its text is lost: 0.30000000000000001 reads as
  0.3, where the row path refuses it (`imprecise_number`). A number that can change has at
  least 16 digits (or a 3-digit exponent), so a line whose raw text holds such a run is
  re-checked by the row path's own `validate`, and accepted only when it lands the same row.
  Integers stay exact on both paths, so only a line whose canonical `data` (or extension)
  holds a double has its raw text searched for such a run; the rest skip the regex.
- DuckDB also reads what Python's JSON refuses (`nan`, `inf` in any case, an hour of 24, an
  offset of +24:00): those lines are re-checked or declined too.
- A byte order mark at the start of the file (DuckDB refuses it) is skipped by reading a copy
  without it.

The fingerprint is the row path's md5 (`events.fingerprint`), computed here in SQL. It is about
a quarter of this query's time, and a cheaper hash was left alone: the lake already holds md5
fingerprints, and the conflict check (`sources/conflicts.py`) calls two rows of one key with
different fingerprints a conflict without comparing their fields, so another function would
turn every re-delivery of an event landed before the change into a conflict; DuckDB's 64-bit
`hash()` is also not promised stable across DuckDB versions, nor computable by the row path.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import json
import re
import shutil
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from sources.contract import FastPathDeclined, Rejection
from sources.readers import BOM, loads_i_json
from sources.usage.events import ENVELOPE, FINGERPRINT_FIELDS, SCHEMA, SEPARATOR, validate

# Rows per Arrow batch (and Parquet row group): bounds the memory of one file in flight.
BATCH_ROWS = 122_880
# One thread per reader: landing runs readers in parallel, one per file.
CONNECTION_CONFIG = {"threads": 1, "memory_limit": "512MB", "preserve_insertion_order": True}

_STRINGS = ["specversion", "id", "source", "type", "subject", "time", "datacontenttype"]
_STRINGS += ["dataschema"]
_REQUIRED = {"specversion", "id", "source", "type", "time"}

# Hours (of the time and of the offset) up to 23: DuckDB reads 24:00 as the next midnight and
# an offset of +24:00, where the row path (datetime.fromisoformat) refuses both.
_HOUR = r"([01]\d|2[0-3])"
_RFC3339 = (
    rf"^\d{{4}}-\d{{2}}-\d{{2}}T{_HOUR}:\d{{2}}:\d{{2}}(\.\d{{1,6}})?(Z|[+-]{_HOUR}:\d{{2}})$"
)
# A number a double may not hold exactly: 16+ digits, or a 3-digit exponent; and NaN or
# Infinity in a value's place, which DuckDB reads in any case (`nan`, `-inf`, ...) but JSON has
# not (false positives, e.g. inside a string, only cost a re-check).
_SUSPECT_NUMBER = r"[0-9]{16}|[0-9.]{17}|[eE][-+]?[0-9]{3}|[:,\[]\s*[-+]?(?i:nan|inf)"
# Extension attribute names as CloudEvents defines them (lower-case letters and digits): safe
# to splice into a JSON path. Any other name sends the file to the row path.
_EXTENSION_NAME = r"^[a-z0-9]+$"
_GLOB = re.compile(r"[*?\[\]{}]")
# Lists of `data` member names remembered as checked (a file has a few kinds of event).
_KEY_LISTS_KEPT = 4096


# `time` as the fingerprint writes it, as two parts of its concat. A `Z` time that passed the
# RFC 3339 check holds exactly those digits: its text without the `Z`, then the zeros that pad
# the fraction to six digits, a tenth the cost of strftime. (substr, not a negative slice like
# [:-2], which costs twice as much.)
_FINGERPRINT_TIME = """case
            when ends_with(time_text, 'Z') then substr(time_text, 1, length(time_text) - 1)
            else strftime(time, '%Y-%m-%dT%H:%M:%S.%f')
        end,
        case when ends_with(time_text, 'Z') then substr('.000000', length(time_text) - 19) end"""
# The fingerprint `events.fingerprint` computes, as SQL over the typed columns: concat, one
# copy of every part where concat_ws or `||` take several (it reads NULL as '', as it must).
_FINGERPRINT = "md5(concat(\n        {}\n    ))".format(
    ",\n        chr(31),\n        ".join(
        _FINGERPRINT_TIME if name == "time" else name for name in FINGERPRINT_FIELDS
    )
)
assert chr(31) == SEPARATOR

# A double without a `.` in DuckDB's canonical text of `data` (minified: a number follows `:`,
# `,`, `[` or starts the text): digits then an exponent, or a NaN / Infinity literal (yyjson
# reads them in any case). Integers are exact in both paths, so a line whose `data` holds no
# double cannot hold an imprecise number: only a line whose `data` has a `.` pays for the regex
# over its raw text (in DuckDB); a line with a double without one (`1e21`, `nan`) is
# re-checked (with a `.` elsewhere too: a re-check costs more time, never a wrong row).
_DOUBLE_WITHOUT_POINT = r"(^|[:,\[])[-+]?([0-9]+[eE]|[nN][aA]|[iI])"


def _string(leaf: str) -> str:
    """The value of a JSON string leaf (minified JSON text): between its quotes when its line
    has no backslash (DuckDB writes a raw character as it came: nothing in it is escaped), else
    unescaped by DuckDB; NULL for any other JSON value."""
    return (
        f"case when starts_with({leaf}, '\"') then "
        f"case when escaped then {leaf}::json ->> '$' "
        f"else substr({leaf}, 2, length({leaf}) - 2) end end"
    )


@functools.cache
def typed_sql(usual: tuple[str, ...] = ()) -> str:
    """The typed query. `usual`: the envelope member names, in order, of the file's first line:
    a line with exactly those (most lines) takes its members by position, any other line by
    name (a map lookup costs what all positions of a line cost)."""
    envelope = ", ".join(f"'{name}'" for name in ENVELOPE)
    # specversion can only be "1.0": compared as JSON text, no string is cut out of it
    typed = ["specversion_json = '\"1.0\"' as specversion_ok", "'1.0' as specversion"]
    checks = ["specversion_ok"]
    for name in _STRINGS[1:]:
        leaf = f"{name}_json"
        alias = "time_text" if name == "time" else name
        # an attribute sent as JSON null is unset; any other value that is no string is NULL
        typed.append(f"{_string(leaf)} as {alias}")
        if name == "time":
            continue  # its form is checked in Arrow (`_checked`)
        if name in _REQUIRED:  # a JSON string, not empty
            checks.append(f"{alias} <> ''")
        else:  # a JSON string, or unset (absent or JSON null)
            typed.append(f"({alias} is not null or {leaf} is null) as {name}_ok")
            checks.append(f"{name}_ok")
    typed_fields = ",\n        ".join(typed)
    not_null = " + ".join(f"({name}_json is not null)::int" for name in ENVELOPE)
    present = " + ".join(f"map_contains(m, '{name}')::int" for name in ENVELOPE)
    assert set(usual) <= set(ENVELOPE) and len(set(usual)) == len(usual), usual
    leaves = []
    for name in ENVELOPE:
        if name in usual:
            by_position = f"vals[{usual.index(name) + 1}]"
            leaves.append(f"case when usual then {by_position} else m['{name}'] end as {name}_json")
        else:
            leaves.append(f"case when not usual then m['{name}'] end as {name}_json")
    leaf_fields = ",\n        ".join(leaves)
    usual_list = "[" + ", ".join(f"'{name}'" for name in usual) + "]" if usual else "NULL"
    return f"""
with source_rows as (
    select
        row_number() over () as line_number,
        json as j
    from read_ndjson_objects($path, compression = $compression)
),
parts as (
    select
        line_number,
        j,
        -- one parse for every member, as minified JSON text (a JSON value compared as text is
        -- compared as that text), NULL for JSON null (map_contains tells it from absent); a
        -- repeated name is kept twice, which `checked` counts
        json_transform(j, '"MAP(VARCHAR, JSON)"') as m
    from source_rows
),
positions as (
    select
        line_number,
        j,
        m,
        cardinality(m) as key_count,
        -- one look for a backslash in the line, not one in each string attribute
        contains(j, '\\') as escaped,
        coalesce(map_keys(m) = {usual_list}::varchar[], false) as usual,
        map_values(m) as vals
    from parts
),
leaves as (
    select
        line_number,
        j,
        m,
        key_count,
        escaped,
        {leaf_fields}
    from positions
),
plain as (
    select
        *,
        -- every member an envelope attribute, not null: no other member to look for
        key_count = {not_null} as plain
    from leaves
),
typed as (
    select
        line_number,
        j,
        m,
        key_count,
        escaped,
        case when plain then key_count else {present} end as envelope_present,
        {typed_fields},
        -- `data: null` is an explicit null payload, kept as `null`
        coalesce(data_json, case when not plain and map_contains(m, 'data') then 'null' end)
            as data,
        case
            when plain then data_base64_json is not null else map_contains(m, 'data_base64')
        end as has_data_base64
    from plain
),
extended as (
    select
        *,
        -- the extension attributes (most events have none: no list work then)
        case
            when key_count = envelope_present then []
            else list_filter(map_keys(m), k -> k not in ({envelope}))
        end as extension_names,
        -- its member names as a JSON list, checked for a repeat once per distinct list
        case when starts_with(data, '{{') then to_json(json_keys(data))::varchar end
            as data_keys
    from typed
),
members as (
    select
        *,
        -- lambdas cost even on an empty list: only lines with extension attributes run them
        case
            when len(extension_names) > 0
                then list_filter(
                    map_entries(m), e -> e.key not in ({envelope}) and e.value is not null
                )
        end as extension_members,
        case
            when len(extension_names) > 0
                then list_bool_and(
                    list_transform(
                        extension_names, k -> regexp_full_match(k, '{_EXTENSION_NAME}')
                    )
                )
        end as extension_names_ok
    from extended
),
checked as (
    select
        *,
        -- the common `Z` form is parsed as a plain timestamp (no time zone arithmetic)
        case
            when ends_with(time_text, 'Z')
                then try_cast(substr(time_text, 1, length(time_text) - 1) as timestamp)
            else timezone('UTC', try_cast(time_text as timestamptz))
        end as time,
        case
            when len(extension_members) > 0 then to_json(map_from_entries(extension_members))
        end::varchar as extensions,
        -- no member name twice (the map does not check): with envelope members only, every
        -- name is found once; with extension attributes, their names are compared (rare)
        case
            when len(extension_names) = 0 then key_count = envelope_present
            else key_count = envelope_present + len(list_distinct(extension_names))
        end
        and {" and ".join(checks)}
        and not has_data_base64
        -- no nested object (nor a brace inside a string): the row path checks those keys
        and (data is null or strpos(substr(data, 2), '{{') = 0)
        and coalesce(extension_names_ok, true)
        and case
            when len(extension_members) > 0
                then not list_bool_or(
                    list_transform(extension_members, e -> contains(e.value::varchar, '{{'))
                )
            else true
        end as accepted
    from members
)
select
    line_number,
    coalesce(
        accepted and time >= timestamp '2000-01-01' and time < timestamp '2100-01-01',
        false  -- a missing attribute makes the checks null: not accepted
    ) as accepted,
    case
        when len(extension_names) > 0 or contains(data, '.')
            then regexp_matches(j, '{_SUSPECT_NUMBER}')
        else false
    end as suspect,
    -- checked in Arrow (`_checked`): a regex costs DuckDB a call per row, Arrow a loop
    time_text,
    strlen(j) as text_bytes,
    data_keys,
    specversion, id, source, type, subject, time, datacontenttype, dataschema,
    data, cast(null as varchar) as data_base64, extensions,
    {_FINGERPRINT} as payload_fingerprint
from checked
"""


TYPED_SQL = typed_sql()
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
        path = path.resolve()
        if _starts_with_bom(path):
            path = stack.enter_context(_without_bom(path))
        yield from _read(path, con)


def _read(path: Path, con: duckdb.DuckDBPyConnection) -> Iterator[pa.Table]:
    if _GLOB.search(str(path)):
        raise FastPathDeclined("read_json would take the file name for a pattern")
    compression = "gzip" if path.name.endswith(".gz") else "uncompressed"
    params = {"path": str(path), "compression": compression}
    rows = text_bytes = 0
    suspects: list[pa.Table] = []
    key_lists: set[str] = set()  # `data` member name lists seen without a repeat
    try:
        sql = typed_sql(usual_members(path))
        batches = con.execute(sql, params).fetch_record_batch(BATCH_ROWS)
        for batch in batches:
            table = pa.Table.from_batches([batch])
            suspect = _checked(table, key_lists)
            typed = table.select(_OUTPUT.names).cast(_OUTPUT)
            if pc.any(suspect).as_py():
                suspects.append(typed.filter(suspect))
            rows += table.num_rows
            text_bytes += pc.sum(table["text_bytes"]).as_py()
            yield typed
    except (duckdb.Error, pa.ArrowException, OSError) as exc:
        # malformed JSON, a duplicated key, ... (surfacing mid-stream through Arrow as OSError)
        raise FastPathDeclined(str(exc)) from exc
    if not _a_line_each(path, rows, text_bytes):
        lines = count_lines(path)
        if rows != lines:
            raise FastPathDeclined(f"{lines} lines but {rows} JSON objects (a blank line?)")
    if suspects:
        _check_suspects(path, pa.concat_tables(suspects))


def _a_line_each(path: Path, rows: int, text_bytes: int) -> bool:
    """Whether the rows were the file's lines, one each, without counting its lines: true for an
    uncompressed file ending in a newline whose every byte is a row's text or its newline.

    DuckDB reads a line as one JSON value (more fails the read) and skips a blank one. A file
    of m lines (newlines) holds the rows' texts, the m newlines and any other whitespace W; the
    rows are m less the blank lines. So size = text + rows means blank lines + W = 0: the rows
    are the lines. Any other file (gzip, CRLF, a blank line, no final newline) is counted."""
    if rows == 0 or path.name.endswith(".gz"):
        return False
    try:
        with open(path, "rb") as fh:
            size = fh.seek(0, 2)
            fh.seek(size - 1)
            last = fh.read(1)
    except OSError:
        return False
    return last == b"\n" and size == text_bytes + rows


def _checked(table: pa.Table, key_lists: set[str]) -> pa.ChunkedArray:
    """Raise FastPathDeclined unless every row is accepted; return which rows are suspects.

    The checks Arrow runs cheaper than DuckDB: the RFC 3339 form of `time`, no member name twice
    in `data` (checked once per distinct list of names), and a double in `data` without a `.`
    (DuckDB looked in the raw text of the lines with one)."""
    accepted = pc.and_kleene(
        table["accepted"], pc.match_substring_regex(table["time_text"], _RFC3339)
    )
    if not pc.all(accepted, skip_nulls=False).as_py():
        raise FastPathDeclined("a line needs the row-by-row checks")
    for names in pc.unique(table["data_keys"].drop_null()).to_pylist():
        if names not in key_lists:
            listed = json.loads(names)
            if len(set(listed)) != len(listed):
                raise FastPathDeclined("a member name twice in data")
            if len(key_lists) < _KEY_LISTS_KEPT:
                key_lists.add(names)
    double_without_point = pc.match_substring_regex(table["data"], _DOUBLE_WITHOUT_POINT)
    return pc.fill_null(pc.or_(table["suspect"], double_without_point), False)


class _Members(list):
    """A JSON object's members, in order, repeated names included."""


def usual_members(path: Path) -> tuple[str, ...]:
    """The envelope member names of the file's first line, in order (a producer writes every
    line alike); () when it has any other member, or is no JSON object. Only speed depends on
    it: any line is typed by name when its names differ."""
    try:
        with _open(path) as fh:
            first = json.loads(fh.readline(1 << 20), object_pairs_hook=_Members)
    except (EOFError, OSError, ValueError):
        return ()
    names = tuple(name for name, _ in first) if isinstance(first, _Members) else ()
    if not set(names) <= set(ENVELOPE) or len(set(names)) != len(names):
        return ()
    return names


def _starts_with_bom(path: Path) -> bool:
    try:
        with _open(path) as fh:
            return fh.read(len(BOM)) == BOM
    except (EOFError, OSError):
        return False  # unreadable: the reads below decline it


@contextlib.contextmanager
def _without_bom(path: Path) -> Iterator[Path]:
    """A copy of the file (uncompressed) without its byte order mark."""
    with tempfile.TemporaryDirectory(prefix="u2c-bom-") as folder:
        copy = Path(folder) / path.name.removesuffix(".gz")
        try:
            with _open(path) as source, open(copy, "wb") as target:
                source.read(len(BOM))
                shutil.copyfileobj(source, target, 1 << 20)
        except (EOFError, OSError) as exc:
            raise FastPathDeclined(f"unreadable: {exc}") from exc
        yield copy


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


def _check_suspects(path: Path, typed: pa.Table) -> None:
    """Decline unless the row path lands each suspect line (a long run of digits) exactly as
    DuckDB typed it. `typed` rows ascend by line number (rows come in file order)."""
    rows = iter(typed.to_pylist())
    row = next(rows, None)
    with _open(path) as fh:
        for line_number, raw in enumerate(fh, start=1):
            if row is None:
                return
            if line_number != row["line_number"]:
                continue
            try:
                expected = validate(loads_i_json(raw, parse_float=Decimal))
            except (Rejection, ValueError) as exc:
                raise FastPathDeclined(f"line {line_number}: {exc}") from exc
            if any(row[name] != value for name, value in expected.items()):
                raise FastPathDeclined(f"line {line_number}: a number beyond double precision")
            row = next(rows, None)
