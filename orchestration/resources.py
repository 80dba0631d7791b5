"""The lake and the warehouse as Dagster resources: assets, checks and sensors get their paths
from the resources the code location binds, not by reading the environment each on its own,
so a test (or a second deployment) points a whole job at another data dir in one place."""

from __future__ import annotations

from pathlib import Path

import duckdb
from dagster import ConfigurableResource

from orchestration.settings import Settings
from sources.lake_fs import connect_warehouse


class _DataDirResource(ConfigurableResource):
    """A resource on one data dir; its paths are the data dir's Settings."""

    data_dir: str
    # U2C_LAKE_URI (Settings.lake_location): the lake and the exports elsewhere, e.g. s3://
    lake_location: str | None = None

    @property
    def settings(self) -> Settings:
        return Settings(Path(self.data_dir), self.lake_location)


class Lake(_DataDirResource):
    """The data dir's files: the inbox extracts are delivered to, the immutable lake, the
    export batches and the run's validation results."""

    @property
    def inbox(self) -> Path:
        return self.settings.inbox

    @property
    def root(self) -> Path:
        return self.settings.lake

    @property
    def uri(self) -> str:
        """The lake landing writes and dbt reads: `root`, or under U2C_LAKE_URI."""
        return self.settings.lake_uri

    @property
    def staging(self) -> Path:
        return self.settings.lake_staging

    @property
    def exports(self) -> Path:
        return self.settings.exports

    @property
    def exports_uri(self) -> str:
        """Where the export batches are published: a local path or an s3:// URI."""
        return self.settings.exports_uri

    @property
    def export_ledger_uri(self) -> str:
        return self.settings.export_ledger_uri

    @property
    def run_records(self) -> Path:
        return self.settings.run_records

    @property
    def gx_dir(self) -> Path:
        return self.settings.gx_dir


class Warehouse(_DataDirResource):
    """The dbt warehouse (DuckDB) of the data dir, and the analysts' published copy of it."""

    @property
    def path(self) -> Path:
        return self.settings.warehouse

    @property
    def published(self) -> Path:
        return self.settings.published_marts

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A read-only connection: checks read the warehouse dbt writes."""
        return connect_warehouse(self.path)


def data_dir_resources(settings: Settings) -> dict[str, ConfigurableResource]:
    return {
        "lake": Lake(data_dir=str(settings.data_dir), lake_location=settings.lake_location),
        "warehouse": Warehouse(
            data_dir=str(settings.data_dir), lake_location=settings.lake_location
        ),
    }
