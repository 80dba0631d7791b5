"""Dagster's SQLite event log storage with an atomic pool-slot claim.

Stock `SqlEventLogStorage._claim_concurrency_slot` (dagster 1.13.27) selects a free slot row
`with_for_update(skip_locked=True)`, which SQLite ignores, then updates it by id alone, so two
processes that select the same free row both "claim" it and a pool of 1 runs two steps at once.
Here the claim is one UPDATE that only takes a row whose step_key is still NULL: SQLite runs
writes one at a time, the loser updates no row, gets BLOCKED and retries like any waiting step.
"""

from __future__ import annotations

import os

import sqlalchemy as db
from dagster import Field, StringSource
from dagster._core.storage.event_log import SqliteEventLogStorage
from dagster._core.storage.event_log.schema import ConcurrencySlotsTable
from dagster._utils.concurrency import ConcurrencySlotStatus


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
