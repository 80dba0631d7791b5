"""Landing: every inbox file into the immutable lake, in one step."""

from collections import defaultdict

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    DataVersion,
    MaterializeResult,
    multi_asset,
)

from orchestration.console import every_tenth
from orchestration.data_versions import lake_table_version
from orchestration.owners import DATA_PLATFORM
from orchestration.pools import WAREHOUSE_POOL
from orchestration.resources import Lake
from orchestration.retries import retry_transient
from sources.lake_check import LakeCorrupted, check_lake
from sources.landing import land_inbox
from sources.landing_site import LandingSite
from sources.registry import CONTRACTS

LEDGER_KEY = AssetKey(["landing", "batches"])
QUARANTINE_KEY = AssetKey(["landing", "quarantine"])
# where each landing asset's files are in the lake (its data version is their digest)
LEDGER_PARTS = ("_ledger", "landing_batches")
QUARANTINE_PARTS = ("quarantine",)


def raw_key(system: str, table: str) -> AssetKey:
    # Matches dagster-dbt's key for the dbt source `<system>.<table>`.
    return AssetKey([system, table])


RAW_TABLES = [(c.system, t) for c in CONTRACTS for t in (c.table, *c.children)]

LANDING_SPECS = [
    AssetSpec(
        raw_key(system, table),
        group_name="landing",
        owners=[DATA_PLATFORM],
        kinds={"parquet"},
        description=f"Raw {system} {table}, immutable Parquet under lake/raw/.",
    )
    for system, table in RAW_TABLES
] + [
    AssetSpec(
        LEDGER_KEY,
        group_name="landing",
        owners=[DATA_PLATFORM],
        kinds={"parquet"},
        description="Landing ledger: one row per batch, rows read = landed + quarantined.",
    ),
    AssetSpec(
        QUARANTINE_KEY,
        group_name="landing",
        owners=[DATA_PLATFORM],
        kinds={"parquet"},
        description="Rejected rows with their payload, reason code and class.",
    ),
]


# landing writes the lake the dbt steps read: it takes the warehouse pool's slot too
@multi_asset(specs=LANDING_SPECS, can_subset=False, pool=WAREHOUSE_POOL)
def land_sources(context: AssetExecutionContext, lake: Lake):

    def on_landed(result, done: int, total: int) -> None:
        if every_tenth(done, total):  # a terminal's progress, not the whole listing
            context.log.info(
                f"{done}/{total} files landed (last {result.system}/{result.file_name})"
            )

    with retry_transient(context.retry_number):  # an I/O hiccup is retried, a bad file is not
        results = land_inbox(
            lake.inbox, lake.uri, CONTRACTS, on_landed=on_landed, staging=lake.staging
        )
    # a damaged lake file would be read as fewer rows, or fail deep in dbt: stop here, naming it
    if problems := check_lake(LandingSite.of(lake.uri, lake.staging), CONTRACTS):
        raise LakeCorrupted(problems)
    per_table: dict[AssetKey, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in results:
        counts = per_table[raw_key(r.system, r.table)]
        counts["files_new"] += 0 if r.skipped else 1
        counts["files_already_landed"] += 1 if r.skipped else 0
        counts["rows_read"] += r.rows_read
        counts["rows_landed"] += r.rows_landed
        counts["rows_quarantined"] += r.rows_quarantined
    # each with the data version of its files: unchanged when nothing new landed for it, so
    # the models reading only unchanged tables stay fresh (orchestration.data_versions)
    for system, table in RAW_TABLES:
        key = raw_key(system, table)
        yield MaterializeResult(
            asset_key=key,
            metadata=dict(per_table.get(key, {})),
            data_version=DataVersion(lake_table_version(lake.uri, "raw", system, table)),
        )
    new = [r for r in results if not r.skipped]
    yield MaterializeResult(
        asset_key=LEDGER_KEY,
        metadata={"batches_new": len(new)},
        data_version=DataVersion(lake_table_version(lake.uri, *LEDGER_PARTS)),
    )
    yield MaterializeResult(
        asset_key=QUARANTINE_KEY,
        metadata={"rows_quarantined": sum(r.rows_quarantined for r in new)},
        data_version=DataVersion(lake_table_version(lake.uri, *QUARANTINE_PARTS)),
    )
    context.log.info(
        f"landed {sum(r.rows_landed for r in new)} rows from {len(new)} new files, "
        f"quarantined {sum(r.rows_quarantined for r in new)}; "
        f"{len(results) - len(new)} files already landed"
    )
