"""The dbt project handle, importable without a manifest (the CLI parses before loading defs)."""

from __future__ import annotations

from dagster_dbt import DbtProject

from orchestration.settings import DBT_PROJECT_DIR, Settings


def make_dbt_project() -> DbtProject:
    # Artifacts go under the data dir: nothing runtime is written into the source tree.
    return DbtProject(
        project_dir=DBT_PROJECT_DIR,
        profiles_dir=DBT_PROJECT_DIR,
        target_path=Settings.from_env().dbt_target,
    )


def prepare(project: DbtProject) -> None:
    """Run `dbt parse` so manifest.json exists for this data dir."""
    if project.preparer:
        project.preparer.prepare(project)
