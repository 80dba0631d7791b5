"""The columnar usage path (DuckDB reads the file) lands exactly what the row path lands.

Every line it accepts must type and fingerprint as `events.validate` does; every line it cannot
vouch for must send the file to the row path. Parallel landing must equal serial landing.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from demo_world.generate import GenerateOptions, generate
from sources.contract import FastPathDeclined
from sources.landing import land_file, land_inbox
from sources.readers import BOM, json_line_payloads, read_json_lines
from sources.registry import CONTRACTS
from sources.usage import fast
from sources.usage.events import validate

USAGE = next(c for c in CONTRACTS if (c.system, c.table) == ("usage", "events"))
ROW_PATH = dataclasses.replace(USAGE, fast_reader=None)


def event(n: int = 1, **changes: object) -> dict:
    data = {"method": "GET", "route": "/v1/items", "status": 200, "duration_ms": 3}
    top = {
        "specversion": "1.0",
        "id": f"e{n}",
        "source": "//p/m",
        "type": "com.example.api.request",
        "subject": "sub_1",
        "time": "2026-09-01T00:00:00Z",
        "datacontenttype": "application/json",
    }
    top["data"] = data
    for key, value in changes.items():
        inside = key.startswith("data_") and key != "data_base64"
        target, name = (data, key[5:]) if inside else (top, key)
        if key == "d":  # shorthand for the duration
            target, name = data, "duration_ms"
        if value is KeyError:
            del target[name]
        else:
            target[name] = value
    return top


def dumps(e: dict, **kw) -> bytes:
    return json.dumps(e, **kw).encode()


def raw(n: int, data: str, extra: str = "") -> bytes:
    """An event line with `data` (and more members) as literal JSON text."""
    return (
        f'{{"specversion":"1.0","id":"e{n}","source":"s","type":"t",'
        f'"time":"2026-09-01T00:00:00Z"{extra},"data":{data}}}'
    ).encode()


# Lines the columnar path accepts: text and numbers that are easy to get subtly wrong.
TRICKY = [
    dumps(event(1, id="évt-ü-€-😀-中文", source="//p/m?a=1&b=2")),
    dumps(event(2, id='quote " and backslash \\ and slash /', type="tab\there")),
    dumps(event(3, subject="é"), ensure_ascii=True),  # \u00e9 escapes
    raw(4, '{"route":"a\\/b","user":"\\u00e9\\u0001\\u001f\\u007f\\u2028"}').replace(
        b'"e4"', b'"e4\\/x"'
    ),
    dumps(event(5, subject=None, datacontenttype=KeyError, data_user=None)),
    dumps(event(6, subject=KeyError, data_route=KeyError)),
    dumps(event(7, d=10**18)),
    dumps(event(8, d=12345678901234567890)),  # beyond uint64: checked, kept
    dumps(event(9, d=0)),
    raw(10, '{"bytes":123456789.123456,"n":-0,"z":-0.0}'),
    raw(12, '{"bytes":1.50000,"e":1E2,"t":2.5e-10,"big":1e21,"small":1e-7,"x":true,"y":false}'),
    raw(13, '[1,2.5,"x",null,[true]]'),
    raw(14, '"just a string"', ',"datacontenttype":"text/plain"'),
    raw(15, "null", ',"dataschema":"https://example.com/s.json"'),
    raw(16, "1.5", ',"comexampleextension1":"value","comexampleothervalue":5,"unsetext":null'),
    dumps(event(17, time="2026-12-31T23:30:00.123456-05:00")),
    dumps(event(18, time="2026-09-01T00:00:00.5+14:00")),
    b'  {"specversion":"1.0","id":"e19","source":"s","type":"t",\r"time":"2026-09-01T00:00:00Z",'
    b'"data":{"n":2}}  \r',
    dumps(event(20, id="new\nline and nul \x00 inside")),
    raw(21, '{"trace":"1234567890123456789012"}'),  # a long digit run in a string: re-checked
    raw(23, '{"gb_hours":0.25,"ratio":[1.5e-7,-2.0],"n":-3}'),  # doubles a double holds
    raw(24, '{"note":"a:1.5 and :nan in a string"}'),  # looks like a double: re-checked
    dumps(event(25, time="2026-09-01T23:59:59.999999+23:59")),
    raw(26, '{"id":"550e8400-e29b-41d4-a716-446655440000","n":12345678901234567890}'),
    dumps(event(27, subject="")).replace(b'"1.0"', b'"\\u0031.0"'),  # an escaped "1.0"
    dumps(event(22, data=KeyError)),
    raw(28, '{"path":"C:\\\\temp"}'),  # a backslash in data only: attributes unquoted by DuckDB
    # the first line's member names, in its order (taken by position), with a JSON null
    dumps(event(29, subject=None)),
    dumps(event(30, data=None)),
]


def lake_rows(lake: Path, area: str, drop: tuple[str, ...] = ("landed_at",)) -> list[dict]:
    files = sorted(p for p in (lake / area).rglob("*.parquet") if not p.name.startswith("_"))
    rows = [
        {k: v for k, v in row.items() if k not in drop}
        for p in files
        for row in pq.read_table(p).to_pylist()
    ]
    return sorted(rows, key=lambda r: json.dumps(r, sort_keys=True, default=str))


def land_both(tmp_path: Path, content: bytes, name: str = "events.jsonl"):
    path = tmp_path / name
    path.write_bytes(content)
    fast_result = land_file(path, USAGE, tmp_path / "fast")
    row_result = land_file(path, ROW_PATH, tmp_path / "row")
    return path, fast_result, row_result


def test_fingerprint_and_typed_values_equal_the_row_path_on_tricky_lines(tmp_path: Path):
    path, columnar, rowwise = land_both(tmp_path, b"\n".join(TRICKY) + b"\n")
    # the columnar reader vouches for every line (so this compares the two paths)
    tables = list(fast.read_fast(path))
    assert sum(t.num_rows for t in tables) == len(TRICKY)
    assert columnar.rows_landed == rowwise.rows_landed == len(TRICKY)

    typed = pa.concat_tables(tables).to_pylist()
    for row, line in zip(typed, TRICKY, strict=True):
        expected = validate(json.loads(line, parse_float=Decimal))
        assert row["payload_fingerprint"] == expected["payload_fingerprint"], line
        for name, value in expected.items():
            assert row[name] == value, (name, line)
    # canonical `data` is exactly DuckDB's JSON text of the payload, as json_extract gives it
    with duckdb.connect() as con:
        for row, line in zip(typed, TRICKY, strict=True):
            [(expected_data,)] = con.execute(
                "select json_extract(?, '$.data')::varchar", [line.decode()]
            ).fetchall()
            assert row["data"] == expected_data, line
    assert lake_rows(tmp_path / "fast", "raw") == lake_rows(tmp_path / "row", "raw")


D3 = b'"duration_ms": 3'


def duration(text: bytes) -> bytes:
    """An event line whose duration is the JSON number (or literal) `text`."""
    return dumps(event(1)).replace(D3, b'"duration_ms": ' + text)


@pytest.mark.parametrize(
    ("name", "line", "expect"),
    [
        # I-JSON: a member name twice is refused wherever it is (JSON functions take the first,
        # Python the last: the meters would read another value than a reader of the file)
        ("duplicate_key", b'{"id":"first",' + dumps(event(1, id="last"))[1:], "duplicate_key"),
        (
            "duplicate_key_escaped",
            b'{"id":"first",' + dumps(event(1, id="last"))[1:].replace(b'"id"', b'"i\\u0064"'),
            "duplicate_key",
        ),
        (  # a name repeated after a null: the first occurrence is JSON null, still found
            "duplicate_key_after_null",
            b'{"subject":null,' + dumps(event(1, subject="s2"))[1:],
            "duplicate_key",
        ),
        (
            "duplicate_extension_name",
            dumps(event(1, traceid="a")).replace(
                b'"traceid": "a"', b'"traceid": "a", "traceid": "b"'
            ),
            "duplicate_key",
        ),
        (
            "duplicate_data_key",
            dumps(event(1)).replace(D3, D3 + b', "duration_ms": 4'),
            "duplicate_key",
        ),
        (
            "duplicate_nested_key",
            dumps(event(1)).replace(D3, b'"labels": {"a": 1, "a": 2}'),
            "duplicate_key",
        ),
        # a double misreads these: 0.3 and ...345.12, and 1e400 is no double at all
        (
            "long_fraction",
            dumps(event(1)).replace(D3, b'"duration_ms": 0.30000000000000001'),
            "imprecise_number",
        ),
        (
            "big_decimal",
            dumps(event(1)).replace(D3, b'"duration_ms": 123456789012345.123456789'),
            "imprecise_number",
        ),
        ("huge_exponent", dumps(event(1)).replace(D3, b'"duration_ms": 1e400'), "imprecise_number"),
        (
            "long_number_in_an_extension",
            dumps(event(1, traceid=1)).replace(b'"traceid": 1', b'"traceid": 0.12345678901234567'),
            "imprecise_number",
        ),
        ("lone_surrogate", dumps(event(1)).replace(D3, b'"user": "\\ud800"'), "invalid_unicode"),
        (  # JSON keys are case-sensitive: no "id" here
            "uppercase_key",
            dumps(event(1)).replace(b'"id"', b'"ID"'),
            "missing_field",
        ),
        ("nan_value", dumps(event(1)).replace(D3, b'"duration_ms": NaN'), "malformed_json"),
        # DuckDB reads these literals in any case and keeps their text; JSON has none of them
        ("nan_lowercase", duration(b"nan"), "malformed_json"),
        ("inf_value", duration(b"inf"), "malformed_json"),
        ("minus_inf_in_a_list", duration(b"[1, -Inf]"), "malformed_json"),
        ("underflow", duration(b"-1e-400"), "imprecise_number"),  # a double of -0.0
        ("long_mantissa_with_exponent", duration(b"12345678901234567e5"), "imprecise_number"),
        # an attribute's JSON type: its text alone ("1.0", "7") would pass
        ("specversion_number", dumps(event(1, specversion=1.0)), "wrong_type"),
        ("id_number", dumps(event(1, id=7)), "wrong_type"),
        ("subject_number", dumps(event(1, subject=5)), "wrong_type"),
        ("time_number", dumps(event(1, time=5)), "wrong_type"),
        ("empty_id", dumps(event(1, id="")), "missing_field"),
        ("null_type", dumps(event(1, type=None)), "missing_field"),
        # DuckDB reads 24:00 as the next midnight and takes a +24:00 offset: Python refuses both
        ("hour_24", dumps(event(1, time="2026-09-01T24:00:00Z")), "bad_timestamp"),
        ("offset_24", dumps(event(1, time="2026-09-01T10:00:00+24:00")), "bad_timestamp"),
        ("data_and_base64", dumps(event(1, data_base64="eyJ4IjoxfQ==")), "data_and_data_base64"),
        ("bad_base64", dumps(event(1, data=KeyError, data_base64="not b64!")), "bad_data_base64"),
        # accepted by the row path only: the columnar path does not vouch for them
        ("base64_payload", dumps(event(1, data=KeyError, data_base64="eyJ4IjoxfQ==")), None),
        ("nested_data", dumps(event(1)).replace(D3, b'"labels": {"team": "a"}'), None),
        ("object_extension", dumps(event(1, ext={"k": [1, 2, {"z": None}]})), None),
        ("unconventional_extension_name", dumps(event(1, **{"Trace-Id": "x"})), None),
        ("data_base64_null", dumps(event(1, data_base64=None)), None),
        ("two_objects_split_by_cr", dumps(event(1)) + b"\r" + dumps(event(2)), None),
        ("whitespace_line", b" \t ", None),
        ("json_array", b"[1, 2]", "not_an_object"),
    ],
)
def test_a_line_the_columnar_path_cannot_vouch_for_goes_the_row_path(
    tmp_path: Path, name: str, line: bytes, expect
):
    content = dumps(event(100)) + b"\n" + line + b"\n" + dumps(event(101)) + b"\n"
    path, columnar, rowwise = land_both(tmp_path, content)
    with pytest.raises(FastPathDeclined):
        for _ in fast.read_fast(path):
            pass
    assert (columnar.rows_landed, columnar.rows_quarantined) == (
        rowwise.rows_landed,
        rowwise.rows_quarantined,
    )
    assert lake_rows(tmp_path / "fast", "raw") == lake_rows(tmp_path / "row", "raw")
    assert lake_rows(tmp_path / "fast", "quarantine") == lake_rows(tmp_path / "row", "quarantine")
    if expect is not None:
        [row] = lake_rows(tmp_path / "fast", "quarantine")
        assert (row["line_number"], row["reason_code"]) == (2, expect)
    elif name not in ("two_objects_split_by_cr", "whitespace_line"):
        assert columnar.rows_landed == 3


def test_a_byte_order_mark_lands_the_same_on_both_paths(tmp_path: Path):
    """Some writers (PowerShell, Excel exports) start a UTF-8 file with a BOM."""
    lines = [dumps(event(n)) for n in range(1, 4)]
    content = BOM + b"\n".join(lines) + b"\n"
    path, columnar, rowwise = land_both(tmp_path, content)
    assert sum(t.num_rows for t in fast.read_fast(path)) == 3  # the columnar path reads it
    assert (columnar.rows_landed, columnar.rows_quarantined) == (3, 0)
    assert (rowwise.rows_landed, rowwise.rows_quarantined) == (3, 0)
    assert lake_rows(tmp_path / "fast", "raw") == lake_rows(tmp_path / "row", "raw")
    gz = tmp_path / "gz"
    gz.mkdir()
    _, columnar_gz, rowwise_gz = land_both(gz, gzip.compress(content), "events.jsonl.gz")
    assert (columnar_gz.rows_landed, rowwise_gz.rows_landed) == (3, 3)


@pytest.mark.parametrize(
    "variant", ["crlf", "no_final_newline", "gzip", "glob_characters_in_name", "many_batches"]
)
def test_line_numbers_match_the_row_path(tmp_path: Path, variant: str, monkeypatch):
    lines = [dumps(event(n, d=n)) for n in range(1, 5001)]
    name, content = "events.jsonl", b"\n".join(lines) + b"\n"
    if variant == "crlf":
        content = content.replace(b"\n", b"\r\n")
    elif variant == "no_final_newline":
        content = content.rstrip(b"\n")
    elif variant == "gzip":
        name, content = "events.jsonl.gz", gzip.compress(content)
    elif variant == "glob_characters_in_name":
        name = "events[1]*.jsonl"
    else:
        monkeypatch.setattr(fast, "BATCH_ROWS", 700)
    path, columnar, rowwise = land_both(tmp_path, content, name)
    if variant == "glob_characters_in_name":  # read_json would glob: the row path lands it
        with pytest.raises(FastPathDeclined):
            list(fast.read_fast(path))
    else:
        assert sum(t.num_rows for t in fast.read_fast(path)) == 5000
    assert columnar.rows_landed == rowwise.rows_landed == 5000
    assert lake_rows(tmp_path / "fast", "raw") == lake_rows(tmp_path / "row", "raw")
    durations = {
        r["line_number"]: json.loads(r["data"])["duration_ms"]
        for r in lake_rows(tmp_path / "fast", "raw")
    }
    assert all(durations[n] == n for n in range(1, 5001))


@pytest.mark.parametrize(
    "layout",
    [b"A\n\nB\n", b"A\n\nB", b"\nA\nB\n", b"A\nB\n\n", b"A\n \nB\n", b"A \nB\n\n", b" A\n\nB\n"],
)
def test_a_blank_line_is_found_without_counting_where_sizes_tell(tmp_path: Path, layout: bytes):
    """The rows are the lines when the file's size is their texts and one newline each; a
    blank line anywhere (beside a space that pads the sizes, or with no final newline) is
    found and sends the file to the row path, which rejects it."""
    a, b = dumps(event(1)), dumps(event(2))
    content = layout.replace(b"A", a).replace(b"B", b)
    path, columnar, rowwise = land_both(tmp_path, content)
    with pytest.raises(FastPathDeclined):
        list(fast.read_fast(path))
    assert (columnar.rows_landed, columnar.rows_quarantined) == (2, 1)
    assert (rowwise.rows_landed, rowwise.rows_quarantined) == (2, 1)
    assert lake_rows(tmp_path / "fast", "quarantine") == lake_rows(tmp_path / "row", "quarantine")


def test_count_lines_counts_as_the_row_reader_reads(tmp_path: Path):
    for content in [b"", b"a", b"a\n", b"a\n\n", b"\n", b"a\r\nb", b"a\rb\n"]:
        path = tmp_path / "x.jsonl"
        path.write_bytes(content)
        assert fast.count_lines(path) == sum(1 for _ in read_json_lines(path)), content


def test_payload_lookup_equals_the_row_reader(tmp_path: Path):
    path = tmp_path / "x.jsonl"
    path.write_bytes(b'{"a": 1}\r\n\xff\xfe bad\nplain\n\n{"b":\n')
    expected = {n: payload for n, _, payload in read_json_lines(path)}
    assert dict(json_line_payloads(path, {1, 2, 3, 4, 5})) == expected


def world_rows(lake: Path) -> dict[str, list[dict]]:
    return {area: lake_rows(lake, area) for area in ("raw", "quarantine", "_ledger")}


def test_parallel_landing_equals_serial_landing(tmp_path: Path):
    generate(GenerateOptions(out=tmp_path, seed=7, customers=8, days=40, events_per_day=200))
    inbox = tmp_path / "inbox"
    # the same content under two names in one run: the second is skipped either way
    first = sorted((inbox / "usage").iterdir())[0]
    (inbox / "usage" / f"{first.stem}_again.jsonl").write_bytes(first.read_bytes())
    serial = land_inbox(inbox, tmp_path / "serial", CONTRACTS, workers=1)
    parallel = land_inbox(inbox, tmp_path / "parallel", CONTRACTS, workers=3)
    assert serial == parallel
    assert any(r.skipped for r in parallel)
    assert any(r.rows_quarantined for r in parallel if r.system == "usage")  # the conflicts
    assert world_rows(tmp_path / "serial") == world_rows(tmp_path / "parallel")


def test_a_failure_in_a_parallel_run_leaves_no_partial_batch(tmp_path: Path):
    inbox = tmp_path / "inbox" / "usage"
    inbox.mkdir(parents=True)
    for day in range(1, 7):
        content = b"\n".join(dumps(event(day * 1000 + n)) for n in range(50)) + b"\n"
        (inbox / f"events_{day}.jsonl").write_bytes(content)

    def fails_on_day_3(path: Path, con=None):
        if path.name == "events_3.jsonl":
            raise OSError("disk gone")
        yield from fast.read_fast(path, con)

    broken = dataclasses.replace(USAGE, fast_reader=fails_on_day_3)
    lake = tmp_path / "lake"
    with pytest.raises(OSError, match="disk gone"):
        land_inbox(tmp_path / "inbox", lake, [broken], workers=3)
    ledger = {r["file_name"] for r in lake_rows(lake, "_ledger")}
    assert ledger == {"events_1.jsonl", "events_2.jsonl"}  # as landing one by one would leave
    assert {r["file_name"] for r in lake_rows(lake, "raw")} == ledger
    assert not [p for p in lake.rglob("*") if p.name.startswith(".")]  # no temp file left
    again = land_inbox(tmp_path / "inbox", lake, CONTRACTS, workers=3)
    assert [r.skipped for r in again] == [True, True, False, False, False, False]


@pytest.mark.parametrize("bucket_rows", [1, 2, 3, 1000])
def test_conflicts_are_the_same_checked_in_buckets(tmp_path: Path, monkeypatch, bucket_rows: int):
    import sources.conflicts as landing

    monkeypatch.setattr(landing, "CONFLICT_BUCKET_ROWS", bucket_rows)
    inbox = tmp_path / "inbox" / "usage"
    inbox.mkdir(parents=True)
    day_1 = [event(1), event(2), event(2), event(3, d=5), event(3, d=6)]
    day_1 += [event(n) for n in range(10, 20)]
    day_2 = [event(1, d=9), event(2), event(4), event(4, d=7), event(15)]
    day_2 += [event(16, d=8), event(3, d=6), event(3, d=5)]
    for name, events in [("events_1.jsonl", day_1), ("events_2.jsonl", day_2)]:
        (inbox / name).write_bytes(b"\n".join(dumps(e) for e in events) + b"\n")
    results = land_inbox(tmp_path / "inbox", tmp_path / "lake", CONTRACTS)
    assert [(r.rows_landed, r.rows_quarantined) for r in results] == [(14, 1), (4, 4)]
    quarantined = {
        (r["file_name"], r["line_number"], r["reason_detail"].split(" as an event ")[1])
        for r in lake_rows(tmp_path / "lake", "quarantine")
    }
    assert quarantined == {
        ("events_1.jsonl", 5, "earlier in this file, but a different payload"),
        ("events_2.jsonl", 1, "landed before, but a different payload"),
        ("events_2.jsonl", 4, "earlier in this file, but a different payload"),
        ("events_2.jsonl", 6, "landed before, but a different payload"),
        ("events_2.jsonl", 7, "landed before, but a different payload"),
    }


def test_a_payload_under_the_same_fingerprint_is_still_compared_field_by_field(tmp_path: Path):
    """A fingerprint collision cannot pass a different event off as an exact re-delivery: rows
    whose hash equals their reference's are compared on the fields themselves, against a landed
    event and against an earlier line of the same batch."""
    from sources.conflicts import find_conflicts

    inbox = tmp_path / "inbox" / "usage"
    inbox.mkdir(parents=True)
    (inbox / "events_1.jsonl").write_bytes(b"\n".join(dumps(event(n)) for n in (1, 2)) + b"\n")
    land_inbox(tmp_path / "inbox", tmp_path / "lake", CONTRACTS)
    old = [str(p) for p in (tmp_path / "lake" / "raw").rglob("*.parquet") if p.name[0] != "_"]
    new = tmp_path / "new.parquet"
    with duckdb.connect() as con:
        # e1 again, exact; e2 again with another body under e2's fingerprint; e9 twice in the
        # batch, the second with another body under the first's fingerprint, then exact again
        of = "from read_parquet($old) where id"
        con.execute(
            f"""
            copy (
                select * {of} = 'e1'
                union all
                select * replace (2 as line_number, '{{"status": 500}}' as data) {of} = 'e2'
                union all
                select * replace ('e9' as id, 3 as line_number) {of} = 'e1'
                union all
                select * replace ('e9' as id, 4 as line_number, '{{"status": 404}}' as data)
                {of} = 'e1'
                union all
                select * replace ('e9' as id, 5 as line_number) {of} = 'e1'
            ) to '{new}' (format parquet)
            """,
            {"old": old},
        )
    found = find_conflicts(new, old, USAGE)
    seen = {line: rejection.detail.split(" as an event ")[1] for line, rejection in found.items()}
    assert seen == {
        2: "landed before, but a different payload",
        4: "earlier in this file, but a different payload",
    }
