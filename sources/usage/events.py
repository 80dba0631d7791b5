"""Contract for usage events: CloudEvents 1.0, JSON format, one event per line.

File kinds: `inbox/usage/*.jsonl` and `*.jsonl.gz`, UTF-8 (a byte order mark at the start of
the file is fine), one JSON object per line.

Landing checks the CloudEvents envelope and keeps the payload as it came: what an event
*means* (which billable metric, which value, whose usage) is decided later, in the warehouse,
by the meters (`dbt_project/seeds/meters.csv`). So any product's events land, whatever it puts
in `data`; an event no meter claims is counted by type in `ops_usage_unmetered`, never
quarantined.

| column | landed type | required | from | rule |
|---|---|---|---|---|
| specversion | string | yes | | "1.0" |
| id | string | yes | | non-empty; with `source` the dedup key (a re-delivery repeats both) |
| source | string | yes | | non-empty URI-reference of the emitting service |
| type | string | yes | | non-empty, e.g. `com.example.api.request`: selects the meters |
| subject | string | no | | the usage key (a subscription, customer or account id) |
| time | timestamp(us) | yes | | RFC 3339 with an offset; stored as naive UTC |
| datacontenttype | string | no | | kept |
| dataschema | string | no | | kept |
| data | string | no | | any JSON, as canonical JSON text (`null` for an explicit null) |
| data_base64 | string | no | | Base64 (RFC 4648); never together with `data` |
| extensions | string | no | `*` | the other members (extensions), a canonical JSON object |
| payload_fingerprint | string | yes | | md5 of the columns above: equal for an exact re-delivery |

Attributes sent as JSON `null` are unset, as the CloudEvents JSON format says (`data: null` is
an explicit null payload and is kept).

Each line must also be I-JSON (RFC 7493), the JSON every consumer reads alike: no member name
twice in an object (`duplicate_key`), no number beyond a double's precision or range
(`imprecise_number`: the warehouse reads values as DuckDB JSON, whose numbers are doubles, so a
value that would silently change is refused instead), no unpaired surrogate
(`invalid_unicode`), no NaN or Infinity (`malformed_json`).

Canonical JSON (`data`, `extensions`): members in the order sent, no whitespace, strings
escaped as DuckDB writes them, integers as written, other numbers in the shortest form that
reads back to the same double (`1.50000` -> `1.5`, `1E2` -> `100.0`). It is exactly the text
DuckDB's JSON functions give, so the columnar path (`fast.py`) lands the same rows. Member
order is kept, not sorted: producers re-send the same bytes, and sorting every payload would
cost landing a third of its speed; the top-level order never matters (attributes are columns).

Example line:

    {"specversion": "1.0", "id": "req-01", "source": "//api.example.com/eu-west",
     "type": "com.example.api.request", "subject": "sub_0001",
     "time": "2026-09-01T10:00:00Z", "datacontenttype": "application/json",
     "data": {"method": "GET", "route": "/v1/items", "status": 200, "duration_ms": 42}}
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
import re
from decimal import Decimal

from sources import table_spec
from sources.contract import (
    optional_str,
    parse_rfc3339,
    require_str,
    schema_error,
)

SPEC = table_spec.load("usage", "events")
SYSTEM = SPEC.system
TABLE = SPEC.table
FILE_SUFFIXES = (".jsonl", ".jsonl.gz")

# The CloudEvents attributes (and JSON-format members) landed as columns; every other member
# is an extension attribute. `validate` (and the columnar path, fast.py) read them by hand for
# speed; tests/unit/test_table_specs.py checks both against the spec.
ENVELOPE = tuple(
    c.source for c in SPEC.columns if c.rule and c.rule["kind"] not in ("extensions", "fingerprint")
)

SCHEMA = table_spec.schema(SPEC)


def validate(event: object) -> dict:
    """One parsed JSON value (numbers with a fraction as Decimal) -> a row of SCHEMA, or raise
    Rejection."""
    if not isinstance(event, dict):
        raise schema_error(
            "not_an_object", f"a CloudEvent must be a JSON object, got {type(event).__name__}"
        )
    specversion = require_str(event, "specversion")
    if specversion != "1.0":
        raise schema_error("unknown_specversion", f"specversion {specversion!r} is not '1.0'")
    row = {
        "specversion": specversion,
        "id": require_str(event, "id"),
        "source": require_str(event, "source"),
        "type": require_str(event, "type"),
        "subject": optional_str(event, "subject"),
        "time": parse_rfc3339(require_str(event, "time"), "time"),
        "datacontenttype": optional_str(event, "datacontenttype"),
        "dataschema": optional_str(event, "dataschema"),
        "data": canonical(event["data"]) if "data" in event else None,
        "data_base64": optional_str(event, "data_base64"),
    }
    if row["data_base64"] is not None:
        if "data" in event:
            raise schema_error(
                "data_and_data_base64", "an event carries 'data' or 'data_base64', never both"
            )
        _check_base64(row["data_base64"])
    for name in ("specversion", "id", "source", "type", "subject"):
        _check_text(row[name], name)
    extensions = {k: v for k, v in event.items() if k not in ENVELOPE and v is not None}
    row["extensions"] = canonical(extensions) if extensions else None
    row["payload_fingerprint"] = fingerprint(row)
    return row


FINGERPRINT_FIELDS = tuple(name for name in SCHEMA.names if name != "payload_fingerprint")
SEPARATOR = "\x1f"  # ASCII unit separator: cannot be confused with text inside a field


def fingerprint(row: dict) -> str:
    """md5 (128 bits, hex) over the landed fields in a fixed text form; sources/usage/fast.py
    computes the same string in DuckDB, so both landing paths agree on what a re-delivery is.

    A checksum, not a seal: 128 bits make an accidental collision between two events of one key
    out of reach (birthday bound ~2**64 events), and md5 costs landing half of what sha256
    did. Only conflict detection reads it (sources/conflicts.py); nothing downstream does."""
    parts = []
    for name in FINGERPRINT_FIELDS:
        value = row[name]
        if value is None:
            parts.append("")
        elif name == "time":
            parts.append(value.strftime("%Y-%m-%dT%H:%M:%S.%f"))
        else:
            parts.append(str(value))
    return hashlib.md5(SEPARATOR.join(parts).encode(), usedforsecurity=False).hexdigest()


# --- canonical JSON --------------------------------------------------------------------------

_ESCAPE = re.compile(r'["\\\x00-\x1f]')
_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r"}
_SHORT_ESCAPES["\t"] = "\\t"
_SURROGATE = re.compile("[\ud800-\udfff]")


def canonical(value: object) -> str:
    """The canonical JSON text of a parsed value (see the module docstring), or raise
    Rejection (`imprecise_number`, `invalid_unicode`)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return _double_text(value)
    if isinstance(value, str):
        return _string_text(value)
    if isinstance(value, list):
        return "[" + ",".join(canonical(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{_string_text(k)}:{canonical(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"not a parsed JSON value: {type(value).__name__}")


def _string_text(text: str) -> str:
    _check_text(text, "a string")
    return '"' + _ESCAPE.sub(_escape, text) + '"'


def _escape(match: re.Match) -> str:
    char = match.group()
    return _SHORT_ESCAPES.get(char) or f"\\u{ord(char):04X}"


def _check_text(text: str | None, where: str) -> None:
    if text is not None and _SURROGATE.search(text):
        raise schema_error("invalid_unicode", f"{where} holds an unpaired UTF-16 surrogate")


def _double_text(number: Decimal) -> str:
    """A JSON number with a fraction or an exponent, as DuckDB (yyjson) writes its double:
    the shortest digits that read back, fixed notation for exponents -6..20, else `de<exp>`."""
    value = float(number)
    if not math.isfinite(value) or Decimal(repr(value)) != number:
        raise schema_error(
            "imprecise_number", f"{number} does not fit a double exactly (I-JSON, RFC 7493)"
        )
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    sign, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    text = "".join(map(str, digits))
    point = len(text) + exponent  # digits before the decimal point
    lead = "-" if sign else ""
    if -6 < point <= 21:
        if point <= 0:
            return f"{lead}0.{'0' * -point}{text}"
        if point >= len(text):
            return f"{lead}{text}{'0' * (point - len(text))}.0"
        return f"{lead}{text[:point]}.{text[point:]}"
    mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
    return f"{lead}{mantissa}e{point - 1}"


def _check_base64(text: str) -> None:
    try:
        base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise schema_error("bad_data_base64", f"'data_base64' is not Base64: {exc}") from exc
