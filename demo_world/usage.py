"""Usage events of the demo world: CloudEvents JSON lines, one inbox file per day, streamed.

The events are what a product emits, not billing records: nothing in them names a metric, a
plan or a contract version. Three kinds, read by the meters of `dbt_project/seeds/meters.csv`:

- `com.example.api.requests`, an API gateway's roll-up of a client's requests (route, method,
  status, requests, duration_ms): api_calls is the SUM of requests, api_errors (not billed)
  the COUNT of 5xx roll-ups;
- `com.example.storage.snapshot`, stored bytes and tier: storage_bytes is the MAX of bytes;
- `com.example.seat.active`, a user active in a role: seats is the UNIQUE_COUNT of user_id,
  viewers excluded.

The subject is the subscription id; plan, region and contract version come from the CRM.

Built for volume (tens to hundreds of millions of events): lines are assembled from
precomputed string pieces (no json.dumps per event) by polars, BATCH events per pass (the draws
taken in one `getrandbits` call, the pieces looked up and concatenated column-wise), and only
the draws per subscription x metric x variant x month are kept (what invoices need). Event ids
number events in blocks of CHUNK: `evt_<day>_<block, 4 digits><4 digits in the block>`.

How a day's events are drawn: one `getrandbits` per event picks a slot (subscription x metric,
weighted by plan, customer size and metric share) from a lookup table, one of up to 256
quantities prepared for that slot (their mean meets the customer's monthly usage target
whatever the event volume), and a jitter inside the event's time step, so a file is ordered
by time. Memory stays bounded: at most about TAIL_BUDGET prepared line endings. A day's draws are
counted per slot and variant (`hits`), from which each meter's aggregate follows exactly: the sum
of the requests, the largest snapshot, the distinct paying users.

A day file `events_YYYY-MM-DD.jsonl` (`.jsonl.gz` with --gzip: a big world; gzip members
compressed on two threads, see _GzipMembers) holds, in this
order: the previous day's re-deliveries carried over (exact copies), the day's events, same-day
re-deliveries, then conflicting re-sends of the previous day's events (same source and id,
another quantity). Re-deliveries never cross a month boundary. Late events have their own file
`events_late_<delivery date>.jsonl`. Answer-key entries for re-deliveries are streamed to a
side file, as there can be millions of them.
"""

from __future__ import annotations

import gzip
import json
import random
import threading
import zlib
from bisect import bisect_left
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from itertools import repeat
from pathlib import Path
from queue import Queue
from typing import TextIO

import polars as pl
import pyarrow as pa

from demo_world.anomalies import LATE_EVENTS, ExtraDelivery, Plan
from demo_world.calendar import add_months, at, month_key
from demo_world.catalog import METRIC_BY_CODE, METRICS, MONTHLY_USAGE, PLAN_EVENT_WEIGHT
from demo_world.files import deliver
from demo_world.world import Subscription, World
from sources.atomic import atomic_path

CHUNK = 10_000  # ids end in <block number, 4 digits><4 digits in the block of CHUNK events>
TAIL_BUDGET = 1 << 17  # prepared line endings (slots x quantity variants) per kind of day
# CloudEvents type per metric: what the meters (seed meters) read.
EVENT_TYPES = {
    "api_calls": "com.example.api.requests",
    "storage_bytes": "com.example.storage.snapshot",
    "seats": "com.example.seat.active",
}
ROUTES = ("/v1/items", "/v1/search", "/v1/orders", "/v1/users")
METHODS = ("GET", "GET", "POST", "PUT")
SERVER_ERROR_EVERY = 16  # every 16th variant of a roll-up answered 503 (the api_errors meter)
VIEWER_EVERY = 8  # every 8th variant of a seat event is a viewer (free: not counted)
DAY_MS = 86_400_000
_HMS = [f"{h:02d}:{m:02d}:{s:02d}." for h in range(24) for m in range(60) for s in range(60)]
_MS = [f"{i:03d}Z" for i in range(1000)]
_D4 = [f"{i:04d}" for i in range(10_000)]


def source_for(region: str) -> str:
    return f"//platform.example.com/{region}/metering"


@dataclass
class UsageResult:
    files: list[Path] = field(default_factory=list)
    # (subscription id, 'YYYY-MM', metric) -> technical quantity of distinct, on-time events
    billed: dict[tuple[str, str, str], int] = field(default_factory=dict)
    # the same per contract version in effect when the events occurred (versions change at UTC
    # midnight): (subscription id, 'YYYY-MM', metric, version) -> technical quantity
    billed_by_version: dict[tuple[str, str, str, int], int] = field(default_factory=dict)
    late: dict[tuple[str, str, str], int] = field(default_factory=dict)
    unknown: dict[tuple[str, str, str], int] = field(default_factory=dict)
    events: int = 0  # distinct events (first deliveries), late and unknown included
    lines: int = 0
    redeliveries: int = 0
    late_events: int = 0
    unknown_events: int = 0
    conflicts: list[dict] = field(default_factory=list)  # answer-key keys
    duplicates_file: Path | None = None  # JSON lines of duplicate_event answer-key entries
    # (subscription id, day) -> API requests of the day's first deliveries, late ones included
    # (what the company reports to its Stripe meter, meter_events.py)
    api_requests_by_day: dict[tuple[str, date], int] = field(default_factory=dict)


@dataclass(frozen=True)
class _Slot:
    subscription_id: str
    customer_id: str
    metric: str
    region: str
    sub: Subscription | None  # None for the unknown subscription

    @property
    def source(self) -> str:
        return source_for(self.region)

    def head(self) -> str:
        """The text from after the id to the time."""
        return (
            f'","source":"{self.source}","type":"{EVENT_TYPES[self.metric]}",'
            f'"subject":"{self.subscription_id}","time":"'
        )

    def tail(self, variant: int, value: int) -> str:
        """The text from the time's end to the end of the line: the product's payload."""
        body = '","datacontenttype":"application/json","data":{'
        if self.metric == "api_calls":
            status = 503 if variant % SERVER_ERROR_EVERY == 0 else 200
            route, method = ROUTES[variant % len(ROUTES)], METHODS[variant // 4 % len(METHODS)]
            body += (
                f'"route":"{route}","method":"{method}","status":{status},'
                f'"requests":{value},"duration_ms":{value * (20 + variant % 7)}'
            )
        elif self.metric == "storage_bytes":
            body += f'"bytes":{value},"tier":"standard"'
        else:
            role = "viewer" if is_viewer(variant) else ("admin" if variant % 5 == 0 else "editor")
            body += f'"user_id":"{user_id(self.subscription_id, value)}","role":"{role}"'
        return body + "}}\n"


def user_id(subscription_id: str, number: int) -> str:
    return f"usr_{subscription_id.removeprefix('sub_')}_{number:03d}"


def is_viewer(variant: int) -> bool:
    return variant % VIEWER_EVERY == VIEWER_EVERY - 1


def aggregate(metric: str, quantities: list[int], hits: list[int]) -> tuple[int, set[int]]:
    """The meter's aggregate of a slot's events (variant j drawn hits[j] times): (the sum of
    requests or the largest snapshot, the paying users' numbers for seats)."""
    drawn = [j for j, n in enumerate(hits) if n]
    if metric == "storage_bytes":
        return max((quantities[j] for j in drawn), default=0), set()
    if metric == "seats":
        return 0, {quantities[j] for j in drawn if not is_viewer(j)}
    return sum(quantities[j] * hits[j] for j in drawn), set()


@dataclass
class _Tables:
    """Lookup tables for one kind of day (same contract versions, same unknown activity)."""

    bits: int  # a draw's low `bits` bits: the table index, which names the slot
    qbits: int  # the next `qbits` bits: the quantity variant; then 16 bits of time jitter
    slot: list[int]  # table index -> slot
    head: list[str]  # table index -> text from after the id to the time
    tails: list[list[str]]  # table index -> per variant, the text from the time's end on
    quantities: list[list[int]]  # table index -> per variant, the quantity
    first_index: dict[int, int]  # slot -> its first table index (a slot's indexes are contiguous)

    @property
    def width(self) -> int:
        return self.bits + self.qbits + 16

    @cached_property
    def columns(self) -> tuple[pl.Series, pl.Series, pl.Series]:
        """The lookups of `_render_batch`: table index -> slot; slot -> head; slot << qbits |
        variant -> tail (a slot's tails are one list shared by its indexes)."""
        slots = sorted(self.first_index)
        heads = [""] * (max(slots) + 1)
        tails = [""] * ((max(slots) + 1) << self.qbits)
        for s in slots:
            i = self.first_index[s]
            heads[s] = self.head[i]
            tails[s << self.qbits : (s + 1) << self.qbits] = self.tails[i]
        return (
            pl.Series(self.slot, dtype=pl.Int64),
            pl.Series(heads, dtype=pl.String),
            pl.Series(tails, dtype=pl.String),
        )

    def parts(self, x: int) -> tuple[int, int, int]:
        """(table index, variant, jitter) of a draw."""
        return (
            x & ((1 << self.bits) - 1),
            (x >> self.bits) & ((1 << self.qbits) - 1),
            x >> (self.bits + self.qbits),
        )

    def draw(self, slot: int, variant: int, jitter: int) -> int:
        return (
            (jitter << (self.bits + self.qbits)) | (variant << self.bits) | self.first_index[slot]
        )


class _Generator:
    def __init__(self, world: World, plan: Plan, events_per_day: int) -> None:
        self.world, self.plan, self.per_day = world, plan, events_per_day
        self.rng = random.Random(world.seed * 7_919 + 11)
        self.slots: list[_Slot] = [
            _Slot(s.id, s.customer.stripe_id, m.code, s.customer.region, s)
            for s in world.subscriptions
            for m in METRICS
        ]
        self.unknown_slot: int | None = None
        if plan.unknown is not None:
            u = plan.unknown
            self.unknown_slot = len(self.slots)
            self.slots.append(_Slot(u.subscription_id, u.customer_id, u.metric, "eu-west", None))
        self.bits = 16
        while (1 << self.bits) < 64 * len(self.slots) and self.bits < 20:
            self.bits += 1
        self.qbits = 8
        while self.qbits > 4 and len(self.slots) << self.qbits > TAIL_BUDGET:
            self.qbits -= 1
        rng = random.Random(world.seed * 1_000_003)
        self.uniform = sorted(rng.random() for _ in range(1 << self.qbits))
        self._last: tuple[tuple, _Tables] | None = None  # days come in order: keep one

    def _values(self, metric: str, target: float, per_day: float, days: int) -> list[int]:
        """The value of each variant: requests whose mean meets the month's target whatever the
        event volume; a snapshot up to the target peak; a user number among target seats."""
        if metric == "storage_bytes":
            return [int(target * (0.6 + 0.4 * u)) for u in self.uniform]
        if metric == "seats":
            pool = max(1, min(round(target), len(self.uniform)))
            return [1 + j % pool for j in range(len(self.uniform))]
        mean = target / days / per_day if per_day else 1.0
        span = 2 * mean - 1
        return [1 + int(u * span) for u in self.uniform] if mean > 1 else [1] * len(self.uniform)

    def tables(self, day: date) -> _Tables:
        versions = [s.version_at(at(day)) for s in self.world.subscriptions]
        unknown = self.plan.unknown
        unknown_on = unknown is not None and month_key(day) == month_key(unknown.month)
        month = day.replace(day=1)
        days_in_month = (add_months(month, 1) - month).days
        key = (tuple(v.version for v in versions), unknown_on, days_in_month)
        if self._last is not None and self._last[0] == key:
            return self._last[1]
        weights = [
            PLAN_EVENT_WEIGHT[v.plan] * s.customer.size * m.event_share
            for s, v in zip(self.world.subscriptions, versions, strict=True)
            for m in METRICS
        ]
        if unknown is not None:
            share = unknown.share / (1 - unknown.share) if unknown_on else 0.0
            weights.append(sum(weights) * share)
        size = 1 << self.bits
        exact = [w * size / sum(weights) for w in weights]
        counts = [int(e) for e in exact]
        by_remainder = sorted(range(len(exact)), key=lambda s: (counts[s] - exact[s], s))
        for s in by_remainder[: size - sum(counts)]:
            counts[s] += 1
        slot_of: list[int] = []
        first_index: dict[int, int] = {}
        for s, c in enumerate(counts):
            if c:
                first_index[s] = len(slot_of)
                slot_of.extend(repeat(s, c))
        heads, tails, quantities = [], [], []
        for s, slot in enumerate(self.slots):
            if slot.sub is not None:
                plan_tier = versions[s // len(METRICS)].plan
                target = MONTHLY_USAGE[plan_tier][slot.metric] * slot.sub.customer.size
            else:
                target = MONTHLY_USAGE["growth"][slot.metric] * 0.2
            qs = self._values(slot.metric, target, self.per_day * counts[s] / size, days_in_month)
            heads.append(slot.head())
            quantities.append(qs)
            tails.append([slot.tail(j, q) for j, q in enumerate(qs)])
        tables = _Tables(
            bits=self.bits,
            qbits=self.qbits,
            slot=slot_of,
            head=[heads[s] for s in slot_of],
            tails=[tails[s] for s in slot_of],
            quantities=[quantities[s] for s in slot_of],
            first_index=first_index,
        )
        self._last = (key, tables)
        return tables


BATCH = 4 * CHUNK  # events per polars pass: 10 MB of text (bigger batches fault in fresh memory)
_HMS_SERIES = pl.Series(_HMS, dtype=pl.String)
_MS_SERIES = pl.Series(_MS, dtype=pl.String)
_D4_SERIES = pl.Series(_D4, dtype=pl.String)


def draws(rng: random.Random, count: int, width: int) -> pa.Array:
    """`count` values of `rng.getrandbits(width)`, exactly those `count` calls would return, in one
    call. CPython builds a draw of 32 < width <= 64 bits from two 32-bit outputs of the Mersenne
    Twister, the first as the low word and the second shifted right to its top width - 32 bits;
    getrandbits(64 * count) returns those same outputs, in order, as whole little-endian words."""
    if not 32 < width <= 64:
        return pa.array([rng.getrandbits(width) for _ in range(count)], pa.uint64())
    if count == 0:
        return pa.array([], pa.uint64())
    words = pa.Array.from_buffers(
        pa.uint32(),
        2 * count,
        [None, pa.py_buffer(rng.getrandbits(64 * count).to_bytes(8 * count, "little"))],
    )
    frame = pl.from_arrow(pa.table({"w": words})).with_row_index("k")
    low = frame.filter(pl.col("k") % 2 == 0)["w"].cast(pl.UInt64)
    high = frame.filter(pl.col("k") % 2 == 1)["w"].cast(pl.UInt64) // (1 << (64 - width))
    return (low + high * (1 << 32)).to_arrow()


def _render_batch(
    prefix: str, n0: int, xs: pl.Series, t: _Tables, day_t: str, count: int, hits: list[int]
) -> str:
    """Events n0.. (draws `xs`) as lines, in one polars pass: the same text, character for
    character, as `_line` gives each; counts the draws per slot and variant in `hits` (index
    slot << qbits | variant)."""
    slot_of, heads, tails = t.columns
    x = xs.cast(pl.Int64)
    n = pl.int_range(n0, n0 + len(x), eager=True, dtype=pl.Int64)
    slot = slot_of.gather(x % (1 << t.bits))
    key = slot * (1 << t.qbits) + (x // (1 << t.bits)) % (1 << t.qbits)
    jitter = x // (1 << (t.bits + t.qbits))
    ms = n * DAY_MS // count + jitter * (DAY_MS // count) // (1 << 16)
    for drawn_key, drawn in key.value_counts().iter_rows():
        hits[drawn_key] += drawn
    parts = pl.DataFrame(
        {
            "chunk": (n // CHUNK).cast(pl.String).str.zfill(4),
            "number": _D4_SERIES.gather(n % CHUNK),
            "head": heads.gather(slot),
            "hms": _HMS_SERIES.gather(ms // 1000),
            "ms": _MS_SERIES.gather(ms % 1000),
            "tail": tails.gather(key),
        }
    )
    line = pl.concat_str(
        pl.lit(prefix), "chunk", "number", "head", pl.lit(day_t), "hms", "ms", "tail"
    )
    return parts.select(line.str.join("")).item()


def _line(prefix: str, n: int, t: _Tables, day_t: str, x: int, count: int, tail=None) -> str:
    """Event `n`'s line exactly as `_render_batch` writes it, or with another payload (`tail`)."""
    i, j, jitter = t.parts(x)
    ms = (n * DAY_MS) // count + ((jitter * (DAY_MS // count)) >> 16)
    tail = t.tails[i][j] if tail is None else tail
    time = f"{day_t}{_HMS[ms // 1000]}{_MS[ms % 1000]}"
    return f"{prefix}{n // CHUNK:04d}{_D4[n % CHUNK]}{t.head[i]}{time}{tail}"


def _batches(rng: random.Random, count: int, width: int, forced: dict[int, int]):
    """(first event number, draws as a polars Series) per BATCH events; `forced` draws replace
    the random ones. The draws are those of one `getrandbits(width)` per event, in order."""
    for c0 in range(0, count, BATCH):
        size = min(BATCH, count - c0)
        xs = pl.from_arrow(draws(rng, size, width))
        inside = {n - c0: x for n, x in forced.items() if c0 <= n < c0 + size}
        if inside:
            xs = xs.scatter(list(inside), list(inside.values()))
        yield c0, xs


def _within(sorted_numbers: list[int], low: int, high: int) -> Iterator[int]:
    for k in range(bisect_left(sorted_numbers, low), len(sorted_numbers)):
        if sorted_numbers[k] >= high:
            break
        yield sorted_numbers[k]


def _dup_entry(sink: TextIO, source: str, event_id: str, file_name: str, line: int) -> None:
    entry = {
        "anomaly": "duplicate_event",
        "mart": "ops_usage_duplicates",
        "status": "duplicate_removed",
        "key": {
            "event_source": source,
            "event_id": event_id,
            "file_name": file_name,
            "line_number": line,
        },
    }
    sink.write(json.dumps(entry, separators=(",", ":")) + "\n")


# gzip level 1: most of the size gone (~8x on these lines) at a fraction of level 6's time
GZIP_LEVEL = 1


def day_file_name(day: date, gzipped: bool) -> str:
    return f"events_{day.isoformat()}.jsonl" + (".gz" if gzipped else "")


class _Behind:
    """A text file written by a thread of its own, in the order of `write` calls, so the next
    batch renders while the last one is written."""

    def __init__(self, fh: TextIO) -> None:
        self._queue: Queue[str | None] = Queue(maxsize=2)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._drain, args=(fh,), daemon=True)
        self._thread.start()

    def _drain(self, fh: TextIO) -> None:
        while (text := self._queue.get()) is not None:
            if self._error is None:
                try:
                    fh.write(text)
                except BaseException as error:  # reported by the writer's next call or close
                    self._error = error

    def write(self, text: str) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put(text)

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error


def _gzip_member(data: bytes) -> bytes:
    """One gzip member (header with no name and mtime 0, deflate at GZIP_LEVEL, trailer)."""
    deflate = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return deflate.compress(data) + deflate.flush()


class _GzipMembers:
    """A .jsonl.gz written as a run of gzip members, each compressed on a pool thread: deflate
    releases the GIL, so members compress on both cores while the next batch renders (one
    stream would compress on one core, slower than rendering). RFC 1952 allows any number of
    members; gzip, Python and DuckDB read them as one stream. No name and mtime 0 in the
    headers: the same lines give the same bytes."""

    MEMBER = 4 << 20  # small writes (re-delivered lines) gather into members of this size
    IN_FLIGHT = 3  # members compressing at once, at most: bounds the memory

    def __init__(self, path: Path, pool: ThreadPoolExecutor) -> None:
        self._file = open(path, "wb")  # noqa: SIM115 (closed by close, or by _gzip_day on error)
        self._pool = pool
        self._pending: list[str] = []
        self._size = 0
        self._members: deque[Future[bytes]] = deque()

    def write(self, text: str) -> None:
        self._pending.append(text)
        self._size += len(text)
        if self._size >= self.MEMBER:
            self._submit()

    def _submit(self) -> None:
        if self._pending:
            data = "".join(self._pending).encode()
            self._pending, self._size = [], 0
            self._members.append(self._pool.submit(_gzip_member, data))
        while len(self._members) > self.IN_FLIGHT:
            self._file.write(self._members.popleft().result())

    def close(self) -> None:
        self._submit()
        while self._members:
            self._file.write(self._members.popleft().result())
        self._file.close()

    def abandon(self) -> None:
        for member in self._members:
            member.cancel()
        self._file.close()


@contextmanager
def _day_writer(path: Path, gzipped: bool, pool: ThreadPoolExecutor) -> Iterator:
    """The writer of a day file: gzip members compressed on `pool`, or a plain file written by a
    thread of its own."""
    if gzipped:
        writer = _GzipMembers(path, pool)
        try:
            yield writer
        except BaseException:
            writer.abandon()
            raise
        writer.close()
        return
    with open(path, "w", encoding="utf-8") as fh:
        behind = _Behind(fh)
        try:
            yield behind
        finally:
            behind.close()


def _open_text(path: Path, mode: str, gzipped: bool):
    if gzipped:
        return gzip.open(path, mode + "t", encoding="utf-8", compresslevel=GZIP_LEVEL)
    return open(path, mode, encoding="utf-8")


def write_usage(
    world: World,
    plan: Plan,
    folder: Path,
    events_per_day: int,
    work: Path,
    on_day: Callable[[int, int], None] | None = None,
    gzipped: bool = False,
) -> UsageResult:
    """Write every usage file of the world; return the totals and the anomalies' keys.
    `on_day(done, days)` hears of each day written (progress); `gzipped`: the day files as
    `.jsonl.gz` (the same lines)."""
    gen = _Generator(world, plan, events_per_day)
    calendar, per_day = world.calendar, events_per_day
    result = UsageResult(duplicates_file=work / "duplicate_events.jsonl")
    folder.mkdir(parents=True, exist_ok=True)
    conflicts_by_day: dict[int, list[str]] = {}
    for sub_id, day_index in plan.conflicts:
        conflicts_by_day.setdefault(day_index, []).append(sub_id)
    carried: list[tuple[str, str, str]] = []  # (line, source, id) re-delivered the next day
    own_lines: dict[date, tuple[int, int]] = {}  # day -> line numbers of its own events
    carried_conflicts: list[str] = []
    # (month, versions) -> draws per slot and variant, and each slot's value per variant
    hits_by_key: dict[tuple[str, tuple[int, ...]], list[int]] = {}
    values_by_key: dict[tuple[str, tuple[int, ...]], dict[int, list[int]]] = {}
    width = 1 << gen.qbits
    with (
        open(result.duplicates_file, "w", encoding="utf-8") as dup_sink,
        ThreadPoolExecutor(max_workers=2, thread_name_prefix="gzip") as pool,
    ):
        for d in range(calendar.days):
            if on_day is not None and d:
                on_day(d, calendar.days)
            day = calendar.day(d)
            name = day_file_name(day, gzipped)
            t = gen.tables(day)
            versions = tuple(sub.version_at(at(day)).version for sub in world.subscriptions)
            day_hits = [0] * (len(gen.slots) * width)
            values = values_by_key.setdefault((month_key(day), versions), {})
            for slot_number, index in t.first_index.items():
                values.setdefault(slot_number, t.quantities[index])
            rng = random.Random(world.seed * 1_000_003 + 7 * d + 1)
            next_in_month = d + 1 < calendar.days and calendar.day(d + 1).month == day.month
            dups = sorted(rng.sample(range(per_day), round(per_day * plan.redelivery_rate)))
            carry = {n for n in dups if next_in_month and rng.random() < 0.5}
            forced: dict[int, int] = {}  # event number -> draw of a conflict's original
            for sub_id in conflicts_by_day.get(d, []):
                slots = [
                    s
                    for s, sl in enumerate(gen.slots)
                    if sl.subscription_id == sub_id and s in t.first_index
                ]
                if slots and per_day:
                    n = rng.randrange(per_day)
                    while n in forced or n in dups:
                        n = (n + 1) % per_day
                    forced[n] = t.draw(slots[0], rng.getrandbits(t.qbits), rng.getrandbits(16))
            prefix = f'{{"specversion":"1.0","id":"evt_{day.strftime("%Y%m%d")}_'
            day_t = f"{day.isoformat()}T"
            same_day: list[tuple[str, str, str]] = []
            next_carried: list[tuple[str, str, str]] = []
            next_conflicts: list[str] = []
            path = folder / name
            with atomic_path(path) as tmp, _day_writer(tmp, gzipped, pool) as fh:
                line_no = 0
                for line, source, event_id in carried:
                    fh.write(line)
                    line_no += 1
                    _dup_entry(dup_sink, source, event_id, name, line_no)
                for c0, xs in _batches(gen.rng, per_day, t.width, forced):
                    fh.write(_render_batch(prefix, c0, xs, t, day_t, per_day, day_hits))
                    if gen.unknown_slot in t.first_index:
                        low = t.first_index[gen.unknown_slot]
                        result.unknown_events += int((xs % (1 << t.bits) >= low).sum())
                    c1 = c0 + len(xs)
                    # the few events re-delivered or re-sent: their draws, as Python ints
                    picked = [*_within(dups, c0, c1), *sorted(k for k in forced if c0 <= k < c1)]
                    picked_draws = xs.gather([n - c0 for n in picked]).to_list()
                    drawn = dict(zip(picked, picked_draws, strict=True))
                    for n in _within(dups, c0, c1):
                        x = drawn[n]
                        slot = t.slot[t.parts(x)[0]]
                        if slot == gen.unknown_slot or n in forced:
                            continue
                        event_id = f"evt_{day.strftime('%Y%m%d')}_{n // CHUNK:04d}{_D4[n % CHUNK]}"
                        (next_carried if n in carry else same_day).append(
                            (
                                _line(prefix, n, t, day_t, x, per_day),
                                gen.slots[slot].source,
                                event_id,
                            )
                        )
                    for n in sorted(k for k in forced if c0 <= k < c1):
                        x = drawn[n]
                        i, j, _ = t.parts(x)
                        other = t.quantities[i][j] + max(1, t.quantities[i][j] // 2)
                        tail = gen.slots[t.slot[i]].tail(j, other)
                        next_conflicts.append(_line(prefix, n, t, day_t, x, per_day, tail))
                own_lines[day] = (line_no + 1, line_no + per_day)
                line_no += per_day
                for line, source, event_id in same_day:
                    fh.write(line)
                    line_no += 1
                    _dup_entry(dup_sink, source, event_id, name, line_no)
                for line in carried_conflicts:
                    fh.write(line)
                    line_no += 1
                    result.conflicts.append(
                        {
                            "file_name": name,
                            "line_number": line_no,
                            "reason_code": "conflicting_duplicate",
                        }
                    )
            deliver(path, calendar.usage_delivered_at(day))
            key_hits = hits_by_key.setdefault((month_key(day), versions), [0] * len(day_hits))
            for k, n in enumerate(day_hits):
                key_hits[k] += n
            for slot_number, slot in enumerate(gen.slots):
                if slot.metric == "api_calls" and slot_number != gen.unknown_slot:
                    requests, _ = aggregate(
                        slot.metric,
                        values.get(slot_number, []),
                        day_hits[slot_number * width : (slot_number + 1) * width],
                    )
                    if requests:
                        result.api_requests_by_day[(slot.subscription_id, day)] = requests
            result.files.append(path)
            result.redeliveries += len(carried) + len(same_day)
            result.events += per_day
            result.lines += line_no
            carried, carried_conflicts = next_carried, next_conflicts
        for extra in plan.extra_deliveries:
            _write_extra(world, extra, folder, own_lines, result, dup_sink, gzipped)
    _aggregate_keys(gen, hits_by_key, values_by_key, result)
    if plan.late is not None:
        _write_late(world, plan, folder, result)
    return result


def _aggregate_keys(gen: _Generator, hits_by_key, values_by_key, result: UsageResult) -> None:
    """Each meter's aggregate per subscription x month (and x contract version), from the draws:
    requests add up, a peak is the largest of its parts, users are counted once (set union)."""
    width = 1 << gen.qbits
    # (subscription, month, metric[, version]) -> (sum or peak, users)
    months: dict[tuple, tuple[int, set[int]]] = {}
    by_version: dict[tuple, tuple[int, set[int]]] = {}
    for (month, versions), hits in sorted(hits_by_key.items()):
        values = values_by_key[(month, versions)]
        for number, slot in enumerate(gen.slots):
            drawn = hits[number * width : (number + 1) * width]
            if not any(drawn):
                continue
            amount, users = aggregate(slot.metric, values[number], drawn)
            key = (slot.subscription_id, month, slot.metric)
            keys = [(months, key)]
            if number != gen.unknown_slot:
                keys.append((by_version, (*key, versions[number // len(METRICS)])))
            for target, k in keys:
                before, seen = target.get(k, (0, set()))
                combined = (
                    max(before, amount) if slot.metric == "storage_bytes" else before + amount
                )
                target[k] = (combined, seen | users)
    for target, source in ((result.billed, months), (result.billed_by_version, by_version)):
        for k, (amount, users) in source.items():
            value = len(users) if k[2] == "seats" else amount
            if value:
                target[k] = value
    if gen.unknown_slot is not None:
        unknown = gen.slots[gen.unknown_slot].subscription_id
        for k in [k for k in result.billed if k[0] == unknown]:
            result.unknown[k] = result.billed.pop(k)


def _write_extra(
    world: World,
    extra: ExtraDelivery,
    folder: Path,
    own_lines: dict[date, tuple[int, int]],
    result: UsageResult,
    dup_sink: TextIO,
    gzipped: bool = False,
) -> None:
    """Copy one subscription's own events of a day (first deliveries, not the carried or
    repeated lines) into an extra file delivered at its own time. Its answer-key entries name
    the copies that are not counted: the extra file's lines when it arrives after the day file,
    the day file's lines when it arrives first."""
    day_file = folder / day_file_name(extra.day, gzipped)
    low, high = own_lines[extra.day]
    cutoff = None if extra.before is None else f"{extra.day.isoformat()}T{extra.before.isoformat()}"
    picked: list[tuple[int, str, str, str]] = []  # (day file line, text, source, id)
    with _open_text(day_file, "r", gzipped) as fh:
        for number, text in enumerate(fh, start=1):
            if number < low:
                continue
            if number > high:
                break
            event = json.loads(text)
            if event["subject"] == extra.subscription_id and (
                cutoff is None or event["time"] < cutoff
            ):
                picked.append((number, text, event["source"], event["id"]))
    if not picked:
        return
    path = folder / extra.file_name
    with atomic_path(path) as tmp:
        tmp.write_text("".join(text for _, text, _, _ in picked), encoding="utf-8")
    deliver(path, extra.delivered_at)
    after_day_file = extra.delivered_at > world.calendar.usage_delivered_at(extra.day)
    for k, (number, _, source, event_id) in enumerate(picked, start=1):
        if after_day_file:
            _dup_entry(dup_sink, source, event_id, extra.file_name, k)
        else:
            _dup_entry(dup_sink, source, event_id, day_file.name, number)
    result.files.append(path)
    result.redeliveries += len(picked)
    result.lines += len(picked)


def _write_late(world: World, plan: Plan, folder: Path, result: UsageResult) -> None:
    """Events of the first invoiced month, delivered after its invoice was finalized."""
    late = plan.late
    sub = world.by_id[late.subscription_id]
    metric = METRIC_BY_CODE[late.metric]
    rng = random.Random(world.seed * 1_000_003 + 99)
    days = (add_months(late.month, 1) - late.first_day).days
    moments = sorted(
        at(late.first_day) + timedelta(milliseconds=rng.randrange(days * DAY_MS))
        for _ in range(LATE_EVENTS)
    )
    slot = _Slot(sub.id, sub.customer.stripe_id, metric.code, sub.customer.region, sub)
    lines, total = [], 0
    for k, moment in enumerate(moments):
        # at least two commercial units each, so the late usage shows in the rounded quantity
        quantity = metric.unit_divisor * rng.randint(2, 6) + rng.randint(0, metric.unit_divisor)
        total += quantity
        day = moment.date()
        requests = result.api_requests_by_day
        requests[(sub.id, day)] = requests.get((sub.id, day), 0) + quantity
        stamp = moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
        # variant 1: a 200, never a server error
        lines.append(
            f'{{"specversion":"1.0","id":"evt_{moment.strftime("%Y%m%d")}_late{k + 1:04d}'
            f"{slot.head()}{stamp}{slot.tail(1, quantity)}"
        )
    path = folder / f"events_late_{late.delivered_on.isoformat()}.jsonl"
    with atomic_path(path) as tmp:
        tmp.write_text("".join(lines), encoding="utf-8")
    deliver(path, at(late.delivered_on, 1))
    result.files.append(path)
    result.late[(sub.id, month_key(late.month), metric.code)] = total
    result.late_events = len(lines)
    result.events += len(lines)
    result.lines += len(lines)
