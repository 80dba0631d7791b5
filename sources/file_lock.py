"""An exclusive lock on a local file (flock: the kernel releases it when its holder dies, so a
killed process never leaves it held), for what two processes must not do at once."""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def held(lock: Path) -> Iterator[None]:
    """Hold `lock` (created if missing), waiting for another holder."""
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
