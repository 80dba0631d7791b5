"""Landing speed: validated usage-event rows per second per core, on a generated file.

`python -m sources.landing_bench --events 1000000` writes one JSON-lines file of CloudEvents
(the shapes the demo world delivers: a few event types, `data` objects of strings and
integers, RFC 3339 times with milliseconds), lands it into an empty lake with the usage
contract, and reports rows read per CPU second of this process (user + system), which is rows
per second per core whatever the number of threads. `bench_landing` is the function the
pipeline's bench calls.
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sources.landing import land_file
from sources.registry import USAGE_EVENTS

_TYPES = [
    (
        "com.example.api.requests",
        lambda n: {"route": f"/v1/r{n % 7}", "method": "GET", "status": 200, "requests": n % 500},
    ),
    ("com.example.seat.active", lambda n: {"user_id": f"usr_{n % 9973:05d}", "role": "editor"}),
    ("com.example.storage.gb_hours", lambda n: {"bucket": f"b{n % 13}", "gb_hours": n % 1000}),
]


def write_events(path: Path, events: int, *, gzipped: bool = False) -> None:
    """`events` distinct, valid usage events, one per line."""
    start = datetime(2026, 8, 1, tzinfo=UTC)
    opener = gzip.open if gzipped else open
    with opener(path, "wt", encoding="utf-8") as fh:
        for n in range(events):
            kind, data = _TYPES[n % len(_TYPES)]
            moment = start + timedelta(milliseconds=n * 37)
            event = {
                "specversion": "1.0",
                "id": f"evt_{n:010d}",
                "source": f"//platform.example.com/{('eu-west', 'us-east')[n % 2]}/metering",
                "type": kind,
                "subject": f"sub_{n % 4000:06d}",
                "time": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "datacontenttype": "application/json",
                "data": data(n),
            }
            fh.write(json.dumps(event, separators=(",", ":")) + "\n")


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def bench_landing(events: int = 1_000_000, *, gzipped: bool = False) -> dict:
    """Land a generated file of `events` usage events; return rows, wall and CPU seconds and
    validated rows per second per core."""
    with tempfile.TemporaryDirectory(prefix="u2c-landing-bench-") as folder:
        path = Path(folder) / ("events.jsonl.gz" if gzipped else "events.jsonl")
        write_events(path, events, gzipped=gzipped)
        cpu, wall = _cpu_seconds(), time.perf_counter()
        result = land_file(path, USAGE_EVENTS, Path(folder) / "lake")
        cpu, wall = _cpu_seconds() - cpu, time.perf_counter() - wall
    return {
        "rows_read": result.rows_read,
        "rows_landed": result.rows_landed,
        "rows_quarantined": result.rows_quarantined,
        "wall_seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "rows_per_second_per_core": round(result.rows_read / cpu) if cpu else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--gzip", action="store_true", help="deliver the file as .jsonl.gz")
    args = parser.parse_args()
    print(json.dumps(bench_landing(args.events, gzipped=args.gzip), indent=2))


if __name__ == "__main__":
    main()
