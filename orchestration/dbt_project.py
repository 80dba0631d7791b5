"""The dbt project handle, importable without a manifest (the CLI parses before loading defs),
and the dbt executable: the one installed beside this interpreter, whatever the shell's PATH."""

from __future__ import annotations

import shutil
import sys
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from packaging import version

from orchestration.settings import DBT_PROJECT_DIR, Settings


def make_dbt_project() -> DbtProject:
    # Artifacts go under the data dir: nothing runtime is written into the source tree.
    return DbtProject(
        project_dir=DBT_PROJECT_DIR,
        profiles_dir=DBT_PROJECT_DIR,
        target_path=Settings.from_env().dbt_target,
    )


def _newest_project_file(project_dir: Path) -> float:
    skip = {"target", "logs", "dbt_packages"}
    return max(
        (
            path.stat().st_mtime
            for path in project_dir.rglob("*")
            if path.is_file() and not skip & set(path.relative_to(project_dir).parts)
        ),
        default=0.0,
    )


def installed_dbt() -> str:
    """The `dbt` of this environment: beside the interpreter (a venv's bin/, where uv installs
    dbt-core's script), so the code location loads from a shell without the venv on PATH."""
    beside = Path(sys.executable).parent / "dbt"
    if beside.is_file():
        return str(beside)
    found = shutil.which("dbt")  # an interpreter without its scripts beside it (rare)
    if found is None:
        raise FileNotFoundError(
            f"dbt is not installed in this environment ({beside} does not exist); install the "
            "project (make install) and run it with that environment's python"
        )
    return found


def prepare(project: DbtProject) -> bool:
    """Run `dbt parse` so manifest.json exists for this data dir, unless it is newer than every
    file of the dbt project (a parse costs several seconds per `u2c` command). True if it ran."""
    manifest = Path(project.manifest_path)
    if manifest.exists() and manifest.stat().st_mtime > _newest_project_file(
        Path(project.project_dir)
    ):
        return False
    # dagster-dbt's own preparer would run `dbt` from PATH
    DbtCli(project_dir=project).cli(["parse", "--quiet"], target_path=project.target_path).wait()
    return True


class DbtCli(DbtCliResource):
    """dagster-dbt's resource, with this environment's dbt (`installed_dbt()`, not PATH's) and
    the dbt version read from the installed dbt-core package: the stock one runs `dbt --version`
    (about 3 s) before every dbt step to tell dbt Core from Fusion; ours is always the dbt-core
    pinned in uv.lock, installed beside this interpreter."""

    def __init__(self, project_dir, dbt_executable: str | None = None, **kwargs):
        super().__init__(
            project_dir=project_dir, dbt_executable=dbt_executable or installed_dbt(), **kwargs
        )

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(installed_version("dbt-core"))
