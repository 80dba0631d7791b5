"""Data versions and code versions: how a run tells a model whose inputs and code did not change
(Dagster: FRESH, nothing to rebuild) from one it must rebuild (STALE or MISSING).

- A landed table's data version is the digest of its files in the lake (path, size, mtime of
  every Parquet file under `raw/<system>/<table>/`, hidden staging files aside) and of the lake's
  location. Lake files are immutable, so the version changes exactly when a batch lands (or a
  file is repaired, or the lake moves). Landing reports it with each table's materialization.
- A dbt node's code version is dagster-dbt's (the node's own SQL) combined with a digest of the
  rest of the dbt project (macros, the project and profile files, every YAML: vars, sources,
  contracts) and of the settings dbt reads: a change to a macro or a var makes every node
  stale, not only the ones whose SQL changed. Conservative on purpose: a rebuild too many costs
  seconds, a rebuild too few leaves a wrong table.
- A dbt model has no data version of its own; Dagster derives one from its code version and its
  inputs' data versions, so staleness propagates through the models exactly as lineage does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

from dagster_dbt import DagsterDbtTranslator
from dagster_dbt.asset_utils import default_code_version_fn

from orchestration.dbt_in_process import project_files_digest
from sources import lake_fs

# settings that change what dbt builds, other than through the data (U2C_DATA_DIR moves the
# warehouse and lake, which the lake's data versions and the relation check already see; the
# partition windows are set per run, for partitioned models only)
_NOT_CODE = ("U2C_DATA_DIR", "U2C_USAGE_WINDOW_", "U2C_PERIOD_WINDOW_")


def files_version(location: str, signatures: Mapping[str, str]) -> str:
    """The data version of a set of files: their location and their (path -> size:mtime)."""
    blob = json.dumps({"at": location, "files": dict(sorted(signatures.items()))})
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def lake_table_version(lake_uri: str, *parts: str) -> str:
    """The data version of the lake's files under `parts` (e.g. "raw", "usage", "events")."""
    store = lake_fs.Lake.at(lake_uri)
    location = store.uri(*parts)
    return files_version(location, store.signatures(location))


def project_digest(project_dir: Path, environ: Mapping[str, str]) -> str:
    """sha256 over every file of the dbt project but its SQL models and generated folders (the
    models' SQL is each node's own code version), and over the U2C_ settings dbt may read."""
    digest = hashlib.sha256(
        project_files_digest(
            project_dir, include=lambda r: r.parts[0] != "models" or r.suffix != ".sql"
        ).encode()
    )
    settings = {
        k: v
        for k, v in sorted(environ.items())
        if k.startswith("U2C_") and not k.startswith(_NOT_CODE)
    }
    digest.update(json.dumps(settings).encode())
    return digest.hexdigest()


class VersionedTranslator(DagsterDbtTranslator):
    """dagster-dbt's translator, with each node's code version covering the whole project."""

    def __init__(self, project: str) -> None:
        super().__init__()
        self._project = project

    def get_code_version(self, dbt_resource_props: Mapping) -> str | None:
        own = default_code_version_fn(dbt_resource_props) or ""
        return hashlib.sha1(f"{own}:{self._project}".encode()).hexdigest()
