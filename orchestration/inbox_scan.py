"""What is new in the inbox since the sensor last looked (pure; the sensor only wires it).

A file is identified by its path under the inbox, size and modification time, so a file replaced
by a new delivery under the same name counts as new again. The cursor is the JSON map of the
files already handed to a landing run; files that left the inbox drop out of it, so it stays
as small as the inbox.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class InboxDelta:
    new_files: list[str]  # relative paths, sorted
    cursor: str  # the cursor to store once the run is requested
    run_key: str  # the same new files always make the same run key


def signatures(inbox: Path) -> dict[str, str]:
    """path under the inbox → "size:mtime_ns", for every delivered file (hidden temp files of a
    delivery still being written are left for the next tick)."""
    found = {}
    for path in inbox.rglob("*"):
        relative = path.relative_to(inbox)
        if path.is_file() and not any(part.startswith(".") for part in relative.parts):
            stat = path.stat()
            found[relative.as_posix()] = f"{stat.st_size}:{stat.st_mtime_ns}"
    return found


def scan(inbox: Path, cursor: str | None) -> InboxDelta:
    seen: dict[str, str] = json.loads(cursor) if cursor else {}
    current = signatures(inbox) if inbox.exists() else {}
    new_files = sorted(path for path, sig in current.items() if seen.get(path) != sig)
    digest = hashlib.sha256(
        "\n".join(f"{path}={current[path]}" for path in new_files).encode()
    ).hexdigest()[:16]
    return InboxDelta(new_files, json.dumps(current, sort_keys=True), f"inbox-{digest}")
