"""File names built from data stay plain names inside their export directory.

Export file names carry values read from extracts (a legal entity code, a posting period). Such
a value could hold `../`, `/`, a NUL, control characters or hundreds of characters; joined into a
path it would write outside the data dir or create odd names. `name_part` turns any value into a
safe part of a file name: a value made of letters, digits, `.`, `_` and `-` (not starting with a
dot, at most 64 characters, no `..`) is kept as it is, anything else becomes its safe characters
plus a hash of the original, so two different values never share a name. `check_name` is the
last guard before a name is joined to a directory.
"""

from __future__ import annotations

import hashlib
import re

MAX_PART = 64
MAX_NAME_BYTES = 255  # the usual file system limit for one name
_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def name_part(value: object) -> str:
    """A safe, readable and injective stand-in for `value` in a file name."""
    text = str(value)
    if len(text) <= MAX_PART and _PLAIN.fullmatch(text) and ".." not in text:
        return text
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    readable = _UNSAFE.sub("_", text)[:32].strip("_")
    return f"{readable}-{digest}" if readable else digest


def check_name(name: str) -> str:
    """`name` if it is one plain entry of a directory; raise ValueError otherwise."""
    if (
        not name
        or name in (".", "..")
        or name.startswith(".")
        or "/" in name
        or "\\" in name
        or any(ord(ch) < 32 or ord(ch) == 127 for ch in name)
        or len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES
    ):
        raise ValueError(f"unsafe export file name {name!r}")
    return name
