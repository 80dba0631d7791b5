"""Generated malformed and edge-case records for every source contract (hypothesis strategies).

Records start from real ones: each contract's rows as the demo world delivers them (read back
through the contract's own reader), so a generated record is a valid one with a few fields
broken, not random noise a validator rejects at the first field. Mutations replace a field
with an edge value of its kind (the issue's list: zero and huge quantities, amounts at the
limits of DECIMAL(38), JPY / KWD, unicode and control characters, DST transitions, leap days,
period boundaries, far future and pre-2000 times), delete it, or add an unknown one; files
also repeat ids with a different payload and carry broken raw lines (invalid UTF-8, truncated
JSON, an unterminated CSV quote, NUL bytes, a BOM, CRLF).
"""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal
from pathlib import Path

from hypothesis import strategies as st

from sources.landing import TableContract
from sources.readers import read_i_json_lines, read_json_lines

# --- edge values --------------------------------------------------------------------------

DECIMAL_38_9_MAX = Decimal("99999999999999999999999999999.999999999")
NUMBERS = [
    0,
    -1,
    1,
    2**31,
    2**63 - 1,
    2**63,
    -(2**63) - 1,
    10**29,
    10**38,
    Decimal("0.0"),
    Decimal("-0.0"),
    Decimal("0.000000001"),
    Decimal("0.0000000001"),
    Decimal("1.5"),
    Decimal("123.456"),
    DECIMAL_38_9_MAX,
    -DECIMAL_38_9_MAX,
    Decimal("1E+400"),
    Decimal("1E-400"),
]
# Unix seconds: DST changes (US 2026-03-08, EU 2026-03-29, US 2026-11-01), leap day 2028-02-29,
# month / year ends, the sane window's edges (2000..2100), epoch zero and year 9999.
UNIX_TIMES = [
    0,
    946_684_799,
    946_684_800,
    1_772_953_200,
    1_774_746_000,
    1_793_512_800,
    1_835_438_400,
    1_788_220_799,
    1_788_220_800,
    1_798_761_599,
    4_102_444_799,
    4_102_444_800,
    253_402_300_799,
    -1,
]
RFC3339 = [
    "2026-03-08T02:30:00-05:00",
    "2026-11-01T01:30:00-04:00",
    "2026-11-01T01:30:00-05:00",
    "2026-03-29T02:30:00+01:00",
    "2028-02-29T23:59:59.999999Z",
    "2027-02-29T00:00:00Z",
    "2026-08-31T23:59:59.999999Z",
    "2026-09-01T00:00:00+14:00",
    "2026-08-31T23:00:00-12:00",
    "1999-12-31T23:59:59Z",
    "2100-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "0001-01-01T00:00:00Z",
    "2026-09-01T00:00:00",
    "2026-09-01 00:00:00Z",
    "2026-09-01T00:00:00.1234567Z",
    "2026-13-01T00:00:00Z",
]
DATES = ["2028-02-29", "2027-02-29", "2026-02-30", "2026-08-31", "1999-12-31", "2100-01-01"]
CURRENCIES = ["jpy", "kwd", "JPY", "KWD", "usd", "USD", "xxx", "Usd", "usd ", "€"]
TEXTS = [
    "",
    " ",
    "名前 株式会社",
    "Zürich GmbH",
    "\u202eevil\u202c",
    "emoji \U0001f4b8",
    "tab\tinside",
    "line\nbreak",
    "cr\r\nlf",
    "nul\x00byte",
    "esc\x1b[31mred",
    '=HYPERLINK("http://x")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1)",
    "../../etc/passwd",
    "/absolute/path",
    "x" * 5000,
    "T",
    "F",
    "true",
    "1e3",
    "1,000",
    "٣",
    "\uff10",  # a full-width zero
    "NaN",
    "Infinity",
]
CELL_NUMBERS = [
    "0",
    "-0",
    "00",
    "-1",
    "1.5",
    "0.000000001",
    "0.0000000001",
    "123.456",
    "9223372036854775807",
    "9223372036854775808",
    "99999999999999999999999999999.999999999",
    "100000000000000000000000000000",
    "-99999999999999999999999999999.999999999",
    " 1",
    "1 ",
    "+1",
    "1e3",
    ".5",
    "5.",
]
CELLS = [None, *TEXTS, *CELL_NUMBERS, *DATES, *RFC3339, *CURRENCIES, "2026-09-01 00:00:00"]
JSON_VALUES = [
    None,
    "\ud800 lone surrogate",  # JSON can escape one (\ud800); a CSV file cannot carry it
    True,
    False,
    [],
    {},
    [None],
    {"object": "unknown"},
    *NUMBERS,
    *UNIX_TIMES,
    *TEXTS,
    *RFC3339,
    *CURRENCIES,
]


# --- records as the demo world delivers them -----------------------------------------------


def seed_records(inbox: Path, contracts: list[TableContract]) -> dict[str, list]:
    """Every parsed record of the world's inbox files, by contract ("system/table")."""
    seeds: dict[str, list] = {}
    for contract in contracts:
        key = f"{contract.system}/{contract.table}"
        folder = inbox / contract.system
        for path in sorted(folder.iterdir()) if folder.is_dir() else []:
            if contract.matches(path):
                seeds.setdefault(key, []).extend(
                    record for _, record, _ in contract.reader(path) if isinstance(record, dict)
                )
    return seeds


def is_json(contract: TableContract) -> bool:
    return contract.reader in (read_json_lines, read_i_json_lines)


# --- mutations ------------------------------------------------------------------------------


def _paths(value: object, prefix: tuple = ()) -> list[tuple]:
    """Every path to a value inside nested dicts and lists."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _copy(value: object) -> object:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


@st.composite
def mutated_json(draw, seed: dict, max_mutations: int = 3) -> dict:
    # every drawn value is a copy: a later mutation of the record must never reach a shared
    # constant (a list of JSON_VALUES mutated into itself became a cycle under the full profile)
    record = _copy(seed)
    for _ in range(draw(st.integers(0, max_mutations))):
        paths = _paths(record)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = record
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["replace", "replace", "replace", "delete", "add"]))
        if action == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["extra", "", "id ", "\x00"]))] = draw(
                st.sampled_from(JSON_VALUES).map(_copy)
            )
        else:
            parent[path[-1]] = draw(
                st.one_of(
                    st.sampled_from(JSON_VALUES).map(_copy),
                    st.text(max_size=20),
                    st.integers(-(2**70), 2**70),
                    st.decimals(allow_nan=False, allow_infinity=False, places=12),
                )
            )
    return record


@st.composite
def mutated_cells(draw, seed: dict, max_mutations: int = 3) -> dict:
    record = dict(seed)
    for _ in range(draw(st.integers(0, max_mutations))):
        column = draw(st.sampled_from(sorted(record)))
        record[column] = draw(
            st.one_of(
                st.sampled_from(CELLS),
                st.text(
                    st.characters(exclude_categories=["Cs"]),  # a file cannot carry surrogates
                    max_size=20,
                ),
            )
        )
    return record


_NUMBER_TOKEN = re.compile(r'"__number__(.*?)__"')


def json_line(record: object) -> bytes:
    """One JSON line; Decimals written as JSON numbers exactly (`1E+400`, `-0.0`)."""

    def encode(value: object) -> object:
        if isinstance(value, Decimal):
            return f"__number__{value}__"
        raise TypeError(type(value).__name__)

    text = json.dumps(record, default=encode, ensure_ascii=False)
    text = _NUMBER_TOKEN.sub(lambda m: m.group(1), text)
    return text.encode("utf-8", "surrogatepass")


def csv_payload(header: list[str], records: list[dict]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for record in records:
        writer.writerow(["" if record.get(c) is None else record[c] for c in header])
    return buffer.getvalue().encode("utf-8")


# Raw lines no parser accepts as they are; each still counts as a line read.
BROKEN_JSON_LINES = [
    b"\xff\xfe not utf-8",
    b'{"id": "evt_trunc", "source": "//x", "time": "2026-09-01T00:',
    b"[1, 2, 3]",
    b"null",
    b'"just a string"',
    b"\x00\x00\x00",
    b'{"quantity": NaN}',
    b'{"quantity": Infinity}',
    b'{"a": 1}{"b": 2}',
    b"   ",
    b'{"data": ' * 50 + b"1" + b"}" * 50,
]
BROKEN_CSV_LINES = [
    b"\xff\xfe,not utf-8",
    b"\x00,\x00,\x00",
    b"only one cell",
    b",,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,",
]
