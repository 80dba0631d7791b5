"""Committing a staged file: drop its conflicting re-deliveries into quarantine, rename its
data files into place, then write its ledger row, which is what marks the batch landed.

Commits run one at a time in delivery order, so each sees every batch before it."""

from __future__ import annotations

import pyarrow as pa

from sources.conflicts import conflict_payloads, find_conflicts
from sources.faults import fault_point
from sources.lake_files import LEDGER_SCHEMA
from sources.landing_site import LEDGER_DIR
from sources.stage import Staged, quarantine_row, skipped
from sources.table_contract import BatchResult


def commit_staged(staged: Staged, con, earlier: set[str] | None = None) -> BatchResult:
    """Look for conflicts with what landed before, then make the batch visible, ledger last.

    Commits run one at a time in delivery order, so each sees every batch before it."""
    contract, site, path = staged.contract, staged.site, staged.path
    good, bad, lineage = staged.good, staged.bad, staged.lineage
    if site.is_landed(staged.batch_id):  # the same content under an earlier name
        staged.abort()
        return skipped(contract, path, staged.batch_id)
    try:
        if contract.conflict_key and good.count:
            site.prepare(con)
            old_files = site.parquet_files(f"raw/{contract.system}/{contract.table}")
            conflicts = find_conflicts(good.tmp, old_files, contract, con, earlier)
            if conflicts:
                good.drop_lines(set(conflicts))
                for line_number, payload in conflict_payloads(contract, path, set(conflicts)):
                    rejection = conflicts[line_number]
                    bad.add(quarantine_row(contract, lineage, line_number, rejection, payload))
    except BaseException:
        staged.abort()
        raise
    # Data first, the ledger last: the ledger row is what marks the batch as landed (on s3,
    # where nothing renames, it is the batch's manifest: sources/landing_site.py).
    for writer in staged.writers:
        writer.publish()
    fault_point("landing.data_published")
    ledger_row = {
        "system": contract.system,
        "source_table": contract.table,
        "file_name": path.name,
        "file_sha256": staged.file_sha,
        "batch_id": staged.batch_id,
        "rows_read": staged.rows_read,
        "rows_landed": good.count,
        "rows_quarantined": bad.count,
        "file_delivered_at": staged.delivered_at,
        "landed_at": lineage["landed_at"],
    }
    ledger = pa.Table.from_pylist([ledger_row], schema=LEDGER_SCHEMA)
    site.write_parquet(f"{LEDGER_DIR}/{staged.batch_id}.parquet", ledger)
    fault_point("landing.committed")
    return BatchResult(
        contract.system,
        contract.table,
        path.name,
        staged.batch_id,
        staged.rows_read,
        good.count,
        bad.count,
        False,
    )
