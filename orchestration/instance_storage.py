"""Dagster's SQLite event log storage with an atomic pool-slot claim.

Stock `SqlEventLogStorage._claim_concurrency_slot` (dagster 1.13.27) selects a free slot row
`with_for_update(skip_locked=True)`, which SQLite ignores, then updates it by id alone, so two
processes that select the same free row both "claim" it and a pool of 1 runs two steps at once.
Here the claim is one UPDATE that only takes a row whose step_key is still NULL: SQLite runs
writes one at a time, the loser updates no row, gets BLOCKED and retries like any waiting step.

Event writes reuse one open connection per database file. The stock storage creates an engine,
opens the file and fsyncs for every statement: a dbt build of 250 models and tests writes about
2,000 events, several statements each, and spent more time there (~1 ms a connection) than dbt
took to build. With WAL, `synchronous=NORMAL` is durable when a process dies (a killed `u2c`);
only an OS crash or power loss may lose the last events of the run history, never data: the lake,
its ledger and the warehouse are written apart from it.

A batch of events (Dagster's DAGSTER_EVENT_BATCH_SIZE, which `u2c` sets: a run's planned
materializations, one per model and day partition, and a partition range's materializations) is
one transaction per database, not one per event: all of it is stored or, on an error, none of it,
and Dagster then stores the events one by one. The stock storage has no batch write and also
opens a new engine on the index for every materialization to ask whether a table exists; here
the answer is kept once it is yes (tables are only ever added).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager

import sqlalchemy as db
from dagster import Field, StringSource
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log import SqliteEventLogStorage
from dagster._core.storage.event_log.schema import ConcurrencySlotsTable
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._serdes import ConfigurableClassData
from dagster._utils.concurrency import ConcurrencySlotStatus
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import QueuePool

# open databases kept: the index and the runs being written (a daemon sees many runs over time)
OPEN_SHARDS = 8


def _sqlite_engine(conn_string: str) -> Engine:
    engine = db.create_engine(
        conn_string,
        poolclass=QueuePool,
        pool_size=1,  # the storage's lock lets one thread in at a time; one kept open
        max_overflow=4,  # creating a database nests a connection (stock `_initdb`)
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
    )

    @db.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")

    return engine


class OneWriterSqliteEventLogStorage(SqliteEventLogStorage):
    """Same files as the default storage ($DAGSTER_HOME/history/runs/), unless base_dir is set."""

    @classmethod
    def config_type(cls):
        return {"base_dir": Field(StringSource, is_required=False)}

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        base_dir = config_value.get("base_dir")
        if not base_dir:
            if not os.environ.get("DAGSTER_HOME"):
                raise RuntimeError(
                    "OneWriterSqliteEventLogStorage: set DAGSTER_HOME (u2c sets it to "
                    "$U2C_DATA_DIR/dagster_home) or give the storage a base_dir"
                )
            base_dir = os.path.join(os.environ["DAGSTER_HOME"], "history", "runs", "")
        return cls(base_dir, inst_data=inst_data)

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        # set before the stock constructor, which may already write (a new index is reindexed)
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._local = threading.local()
        self._tables_present: set[str] = set()
        super().__init__(base_dir, inst_data=inst_data)

    def _engine(self, shard: str) -> Engine:
        """The shard's engine, its database created on first use (call with `_db_lock` held)."""
        engine = self._engines.get(shard)
        if engine is None:
            engine = _sqlite_engine(self.conn_string_for_shard(shard))
            self._engines[shard] = engine
            while len(self._engines) > OPEN_SHARDS:
                self._engines.popitem(last=False)[1].dispose()
        self._engines.move_to_end(shard)
        if shard not in self._initialized_dbs:
            self._initdb(engine)
            self._initialized_dbs.add(shard)
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        batch = getattr(self._local, "batch", None)
        if batch is not None:  # this thread is storing a batch and holds the lock
            yield self._batch_connection(batch, shard)
            return
        with self._db_lock, self._engine(shard).connect() as conn, conn.begin():
            yield conn

    def _batch_connection(self, batch: tuple[ExitStack, dict], shard: str) -> Connection:
        stack, connections = batch
        if shard not in connections:
            conn = stack.enter_context(self._engine(shard).connect())
            stack.enter_context(conn.begin())
            connections[shard] = conn
        return connections[shard]

    def store_event_batch(self, events: Sequence[EventLogEntry]) -> None:
        """Store the events as `store_event` does, in one transaction per database written."""
        with self._db_lock, ExitStack() as stack:
            self._local.batch = (stack, {})
            try:
                for event in events:
                    self.store_event(event)
            finally:
                self._local.batch = None

    def has_table(self, table_name: str) -> bool:
        if table_name not in self._tables_present and super().has_table(table_name):
            self._tables_present.add(table_name)
        return table_name in self._tables_present

    def _close_all(self) -> None:
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()

    def wipe(self) -> None:
        self._close_all()  # the run files are deleted: no connection may outlive them
        super().wipe()

    def dispose(self) -> None:
        self._close_all()
        super().dispose()

    def _claim_concurrency_slot(
        self, concurrency_key: str, run_id: str, step_key: str
    ) -> ConcurrencySlotStatus:
        slots = ConcurrencySlotsTable.c
        free_slot = (
            db.select(slots.id)
            .where(slots.concurrency_key == concurrency_key)
            .where(slots.step_key.is_(None))
            .where(slots.deleted.is_(False))
            .limit(1)
            .scalar_subquery()
        )
        with self.index_connection() as conn:
            claimed = conn.execute(
                ConcurrencySlotsTable.update()
                .values(run_id=run_id, step_key=step_key)
                .where(slots.id == free_slot)
                .where(slots.step_key.is_(None))
            ).rowcount
        return ConcurrencySlotStatus.CLAIMED if claimed else ConcurrencySlotStatus.BLOCKED
