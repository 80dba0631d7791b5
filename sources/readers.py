"""File readers: each yields (line number, parsed record or Rejection, original payload text).

A reader never raises on bad content: a line it cannot parse comes out as a Rejection, so
landing can quarantine it and go on with the rest of the file.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

from sources.contract import Rejection, schema_error

Record = tuple[int, object, str]  # (line number, parsed value or Rejection, payload text)
Reader = Callable[[Path], Iterator[Record]]


def _open_binary(path: Path):
    return gzip.open(path, "rb") if path.name.endswith(".gz") else open(path, "rb")


def read_json_lines(path: Path) -> Iterator[Record]:
    """JSON lines: one object per line; floats are parsed as Decimal, never float."""
    line_number = 0
    try:
        with _open_binary(path) as fh:
            for line_number, raw in enumerate(fh, start=1):
                yield (line_number, *_parse_json_line(raw))
    except (EOFError, gzip.BadGzipFile, OSError) as exc:
        yield (line_number + 1, schema_error("unreadable_file", f"{type(exc).__name__}: {exc}"), "")


def json_line_payloads(path: Path, lines: set[int]) -> Iterator[tuple[int, str]]:
    """(line number, payload text) of the given lines, as `read_json_lines` yields them,
    without parsing any JSON (landing looks up the payloads of conflicting lines)."""
    left = set(lines)
    with _open_binary(path) as fh:
        for line_number, raw in enumerate(fh, start=1):
            if line_number in left:
                yield line_number, _payload_text(raw.rstrip(b"\r\n"))
                left.discard(line_number)
                if not left:
                    return


def _payload_text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "backslashreplace")


def _parse_json_line(raw: bytes) -> tuple[object | Rejection, str]:
    raw = raw.rstrip(b"\r\n")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return schema_error("invalid_utf8", str(exc)), _payload_text(raw)
    if not text.strip():
        return schema_error("empty_line", "blank line where a JSON object was expected"), text
    try:
        parsed = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        return schema_error(
            "malformed_json", f"not valid JSON ({exc.msg} at column {exc.colno})"
        ), text
    # JSON may escape half a UTF-16 pair (`"\ud800"`): no UTF-8 file can hold that string
    if _SURROGATE_ESCAPE.search(text) and _holds_surrogate(parsed):
        return schema_error(
            "invalid_unicode", "a string holds a lone surrogate (\\ud800-\\udfff)"
        ), text
    return parsed, text


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _holds_surrogate(value: object) -> bool:
    if isinstance(value, str):
        return any("\ud800" <= ch <= "\udfff" for ch in value)
    if isinstance(value, dict):
        return any(_holds_surrogate(k) or _holds_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_surrogate(v) for v in value)
    return False


class _RecordingLines:
    """Feeds csv.reader line by line and remembers the raw text of the current record."""

    def __init__(self, stream: io.TextIOBase) -> None:
        self._stream = stream
        self._buffer: list[str] = []

    def __iter__(self) -> _RecordingLines:
        return self

    def __next__(self) -> str:
        line = next(self._stream)
        self._buffer.append(line)
        return line

    def take(self) -> str:
        text, self._buffer = "".join(self._buffer), []
        return text.rstrip("\r\n")


def csv_reader(columns: list[str], required: set[str]) -> Reader:
    """CSV with a header row, UTF-8 (a BOM is fine), streamed. Records are {column: text or None}.

    Header columns beyond `columns` are ignored (real extracts carry many more), also when their
    bytes are not UTF-8 (a cp1252 address or memo the contract never reads); a cell the contract
    reads that is not UTF-8 rejects the row as `invalid_utf8`, naming its column. A header that
    lacks a required column rejects every row of the file; a row with more or fewer cells
    than the header is rejected. Empty cells arrive as None.
    """
    known = set(columns)

    def read(path: Path) -> Iterator[Record]:
        with _open_binary(path) as binary:
            text = io.TextIOWrapper(binary, "utf-8-sig", errors="surrogateescape", newline="")
            lines = _RecordingLines(text)
            rows = csv.reader(lines, strict=True)
            header_problem: Rejection | None = None
            header: list[str] | None = None
            while True:
                try:
                    cells = next(rows)
                except StopIteration:
                    return
                except csv.Error as exc:
                    # The reader resumes on the next line; the broken record is rejected whole.
                    yield (rows.line_num, schema_error("malformed_csv", str(exc)), lines.take())
                    continue
                except (EOFError, gzip.BadGzipFile, OSError) as exc:
                    problem = schema_error("unreadable_file", f"{type(exc).__name__}: {exc}")
                    yield (rows.line_num + 1, problem, "")
                    return
                line, payload = rows.line_num, lines.take()
                if header is None:
                    header = [h.strip() for h in cells]
                    header_problem = _header_problem(header, required)
                    if header_problem:
                        # The first row may be data (no header at all): rejected with the rest.
                        yield (line, header_problem, payload)
                    continue
                bad = _undecodable_columns(header, cells, known)
                if bad is not None:
                    payload = _readable(payload)
                if header_problem:
                    yield (line, header_problem, payload)
                elif bad:
                    detail = (
                        f"column(s) {', '.join(bad)} not valid UTF-8 (a cp1252 or Latin-1 "
                        "export? save the file as UTF-8)"
                    )
                    yield (line, schema_error("invalid_utf8", detail), payload)
                elif cells == [] or cells == [""]:
                    yield (line, schema_error("empty_line", "blank line in a CSV file"), payload)
                elif len(cells) != len(header):
                    code = "extra_columns" if len(cells) > len(header) else "missing_columns"
                    detail = f"{len(cells)} cells where the header has {len(header)}"
                    yield (line, schema_error(code, detail), payload)
                else:
                    record = {
                        name: (value if value != "" else None)
                        for name, value in zip(header, cells, strict=True)
                        if name in known
                    }
                    yield (line, record, payload)

    return read


def _header_problem(header: list[str], required: set[str]) -> Rejection | None:
    missing = sorted(required - set(header))
    if missing:
        return schema_error(
            "bad_csv_header",
            f"header lacks required column(s) {', '.join(missing)}; got {header[:12]}",
        )
    if len(set(header)) != len(header):
        return schema_error("bad_csv_header", "header repeats a column name")
    return None


def _has_bad_bytes(cell: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in cell)


def _undecodable_columns(header: list[str], cells: list[str], known: set[str]) -> list[str] | None:
    """None when the row is valid UTF-8; else the contract's columns whose cells are not (empty
    when only columns the contract ignores are: those are never read, so they never reject)."""
    if not any(_has_bad_bytes(c) for c in cells):
        return None
    return [
        name
        for name, cell in zip(header, cells, strict=False)
        if name in known and _has_bad_bytes(cell)
    ]


def _readable(payload: str) -> str:
    """The raw line with undecodable bytes as `\\xNN`: quarantine keeps text it can store."""
    return payload.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
