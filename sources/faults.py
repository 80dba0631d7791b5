"""Named fault points, for the crash trials of the reliability suite (`make reliability`).

`U2C_FAULT_POINT=<name>[:<n>]` makes the n-th time (default the first) this process reaches
`fault_point(<name>)` end it with SIGKILL, as a power cut would: no `finally`, no atexit, no
flush. When the process leads its process group (a shell job, or the suite's `u2c run` started
in a new session) the whole group dies with it, dbt's subprocess included. Unset, as in every
normal run, a fault point is one environment lookup.

The points sit where a crash is worth proving harmless: between writing a temp file and
renaming it, between publishing data and recording it, in the middle of a dbt build, after a
gate, before and after a publish. `tests/reliability/test_kill_trials.py` lists them.
"""

from __future__ import annotations

import os
import signal
import threading
from collections import Counter

ENV = "U2C_FAULT_POINT"

# Hits per point in this process: the n of `<name>:<n>` counts them (landing's worker threads
# reach points too, hence the lock).
_hits: Counter[str] = Counter()
_lock = threading.Lock()


def parse(spec: str) -> tuple[str, int]:
    """`name[:n]` -> (name, n)."""
    name, _, nth = spec.partition(":")
    count = int(nth) if nth else 1
    if not name or count < 1:
        raise ValueError(f"{ENV} must be <name>[:<n>] with n >= 1, not {spec!r}")
    return name, count


def fault_point(name: str) -> None:
    spec = os.environ.get(ENV)
    if not spec:
        return
    wanted, nth = parse(spec)
    if wanted != name:
        return
    with _lock:
        _hits[name] += 1
        reached = _hits[name] == nth
    if reached:
        kill_now()


def kill_now() -> None:
    """SIGKILL this process, and its process group when it leads one."""
    if os.getpgrp() == os.getpid():
        os.killpg(os.getpgrp(), signal.SIGKILL)
    os.kill(os.getpid(), signal.SIGKILL)
