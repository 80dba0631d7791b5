"""The sha256 of each inbox file, remembered by its size and modification time.

A landing run must know every inbox file's batch id (its sha256) to skip what already landed;
hashing the whole inbox each run would re-read all history (40 GB at 100M usage events). A file
whose size and mtime (nanoseconds) are unchanged since it was hashed keeps its digest, as rsync
and make judge files; any other file is read again. Entries of files no longer in the inbox are
dropped at the next save.
"""

from __future__ import annotations

import json
from pathlib import Path

from sources.atomic import sha256_file
from sources.landing_site import LandingSite

DIGESTS = "_ledger/inbox_digests.json"


class InboxDigests:
    """Kept in the lake (`_ledger/inbox_digests.json`, local or s3://) beside the ledger."""

    def __init__(self, lake: Path | LandingSite) -> None:
        self.site = LandingSite.of(lake)
        try:
            self.known: dict[str, list] = self.site.read_json(DIGESTS)
        except (OSError, ValueError):
            self.known = {}  # none yet, or unreadable: hash again, nothing is lost
        self.current: dict[str, list] = {}

    def sha256(self, path: Path) -> str:
        """The file's sha256, read from disk only when new or changed (thread-safe)."""
        key = str(path.resolve())
        stat = path.stat()
        seen = self.known.get(key)
        if seen and seen[:2] == [stat.st_size, stat.st_mtime_ns]:
            digest = seen[2]
        else:
            digest = sha256_file(path)
        self.current[key] = [stat.st_size, stat.st_mtime_ns, digest]
        return digest

    def save(self) -> None:
        """Keep the digests of the files seen in this run."""
        self.site.write_bytes(DIGESTS, json.dumps(self.current, sort_keys=True).encode())
