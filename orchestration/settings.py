"""Settings from one place: every runtime path derives from U2C_DATA_DIR (default ./data)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sources import lake_fs

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
DAGSTER_YAML = PROJECT_ROOT / "dagster.yaml"
DAGSTER_POSTGRES_YAML = PROJECT_ROOT / "dagster.postgres.yaml"
STORAGE_MARKER = "# --- storage:"


def instance_yaml(environ: dict[str, str]) -> str:
    """The instance's dagster.yaml: the project's, with its SQLite storage block swapped for
    Postgres when DAGSTER_PG_HOST is set."""
    text = DAGSTER_YAML.read_text()
    if not environ.get("DAGSTER_PG_HOST"):
        return text
    return text[: text.index(STORAGE_MARKER)] + DAGSTER_POSTGRES_YAML.read_text()


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    # U2C_LAKE_URI: where the lake and the exports live when not under data_dir, a local path
    # or s3://bucket/prefix (sources/lake_fs.py; credentials from the standard AWS_* variables).
    # The warehouse .duckdb file and Dagster's storage stay local under data_dir.
    lake_location: str | None = None

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            data_dir=Path(os.environ.get("U2C_DATA_DIR", "data")).resolve(),
            lake_location=os.environ.get("U2C_LAKE_URI") or None,
        )

    @property
    def lake_uri(self) -> str:
        """The lake's root: `U2C_LAKE_URI`/lake, or data_dir/lake by default."""
        return lake_fs.join(self.lake_location, "lake") if self.lake_location else str(self.lake)

    @property
    def exports_uri(self) -> str:
        """The exports' root: `U2C_LAKE_URI`/exports, or data_dir/exports by default."""
        if self.lake_location:
            return lake_fs.join(self.lake_location, "exports")
        return str(self.exports)

    @property
    def lake_staging(self) -> Path:
        """Where landing stages its temp files and keeps its lock when the lake is on s3://
        (sources/landing_site.py): local, never under the lake."""
        return self.data_dir / "staging" / "lake"

    @property
    def inbox(self) -> Path:
        return self.data_dir / "inbox"

    @property
    def lake(self) -> Path:
        return self.data_dir / "lake"

    @property
    def run_records(self) -> Path:
        """`ops_runs` records, one Parquet file per run (orchestration/run_record.py)."""
        return self.lake / "ops" / "runs"

    @property
    def warehouse(self) -> Path:
        return self.data_dir / "warehouse.duckdb"

    @property
    def published_dir(self) -> Path:
        return self.data_dir / "published"

    @property
    def published_marts(self) -> Path:
        return self.published_dir / "marts.duckdb"

    @property
    def exports(self) -> Path:
        return self.data_dir / "exports"

    @property
    def export_ledger(self) -> Path:
        """The lake's copy of every ERP batch's ledger (exports/export_ledger.py)."""
        return self.lake / "_ledger" / "export_ledger"

    @property
    def export_ledger_uri(self) -> str:
        """Where the export step writes the ledger's copy and dbt reads it (under the lake's
        root, U2C_LAKE_ROOT): `export_ledger` by default, in the bucket with U2C_LAKE_URI."""
        return lake_fs.join(self.lake_uri, "_ledger", "export_ledger")

    @property
    def dagster_home(self) -> Path:
        return self.data_dir / "dagster_home"

    @property
    def dbt_target(self) -> Path:
        return self.data_dir / "dbt" / "target"

    @property
    def dbt_logs(self) -> Path:
        return self.data_dir / "dbt" / "logs"

    @property
    def gx_dir(self) -> Path:
        return self.data_dir / "gx"

    @property
    def logs(self) -> Path:
        """`u2c`'s run logs: Dagster's DEBUG stream and dbt's output, one file per command."""
        return self.data_dir / "logs"

    @property
    def docs(self) -> Path:
        """dbt docs (`u2c docs`), apart from the manifest the pipeline parses."""
        return self.data_dir / "docs" / "dbt"

    def environ(self) -> dict[str, str]:
        """Variables dbt and Dagster read; exported before either starts."""
        return {
            "U2C_DATA_DIR": str(self.data_dir),
            "DBT_LOG_PATH": str(self.dbt_logs),
            # dagster-dbt gives each invocation a target dir under this path and seeds it with
            # the partial parse file `dbt parse` left here: parsing is reused, and nothing runtime
            # lands in the source tree
            "DBT_TARGET_PATH": str(self.dbt_target),
            "DAGSTER_HOME": str(self.dagster_home),
            # Dagster stores a batch of events (a run's planned materializations, one per model
            # and day; a partition range's materializations) with one write per database
            # (orchestration/instance_storage.py), not one per event
            "DAGSTER_EVENT_BATCH_SIZE": os.environ.get("DAGSTER_EVENT_BATCH_SIZE", "1000"),
            # only when set: by default dbt's sources fall back to $U2C_DATA_DIR/lake, so a
            # resource bound to another data dir never reads this one's lake
            **(
                {
                    "U2C_LAKE_URI": self.lake_location,
                    **lake_fs.dbt_environ(self.lake_uri, os.environ),
                }
                if self.lake_location
                else {}
            ),
        }

    def apply(self) -> None:
        """Export the environment and create the directories and the Dagster instance config."""
        os.environ.update(self.environ())
        for path in (self.inbox, self.lake, self.published_dir, self.exports, self.dbt_logs):
            path.mkdir(parents=True, exist_ok=True)
        self.dagster_home.mkdir(parents=True, exist_ok=True)
        instance_file = self.dagster_home / "dagster.yaml"
        os.environ.setdefault("DAGSTER_PG_PORT", "5432")
        wanted = instance_yaml(dict(os.environ))
        if not instance_file.exists() or instance_file.read_text() != wanted:
            instance_file.write_text(wanted)
