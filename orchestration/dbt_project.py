"""The dbt project handle, importable without a manifest (the CLI parses before loading defs),
and the dbt executable: the one installed beside this interpreter, whatever the shell's PATH."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path

from dagster import get_dagster_logger
from dagster_dbt import DagsterDbtTranslator, DbtCliInvocation, DbtCliResource, DbtProject
from dagster_dbt.asset_utils import (
    extract_runtime_selection_from_args,
    get_updated_cli_invocation_params_for_context,
)
from dagster_dbt.dagster_dbt_translator import validate_opt_translator
from dagster_dbt.dbt_manifest import validate_manifest
from packaging import version

from orchestration.dbt_in_process import DbtThread, location_args, project_files_digest
from orchestration.settings import DBT_PROJECT_DIR, Settings
from sources.file_lock import held


def make_dbt_project() -> DbtProject:
    # Artifacts go under the data dir: nothing runtime is written into the source tree.
    return DbtProject(
        project_dir=DBT_PROJECT_DIR,
        profiles_dir=DBT_PROJECT_DIR,
        target_path=Settings.from_env().dbt_target,
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


def dbt_target_path(data_dir: Path, target: str | None = None) -> Path:
    """Where `run_dbt` keeps a target's artifacts (run_results.json, manifest.json)."""
    return data_dir / "dbt" / (f"target-{target}" if target else "target")


def run_dbt(
    data_dir: Path,
    *args: str,
    target: str | None = None,
    environ: Mapping[str, str] | None = None,
    timeout: float | None = 1800,
) -> subprocess.CompletedProcess:
    """`dbt <args>` in a process of its own on this project over `data_dir` (the profile's
    target, or `target`), its artifacts under `dbt_target_path` and its logs beside them, output
    captured: for what runs dbt outside a pipeline step (`u2c spark-check`, tests). `environ`
    (default: this process's) is the base of dbt's environment; U2C_DATA_DIR is `data_dir`."""
    target_path = dbt_target_path(data_dir, target)
    return subprocess.run(
        [
            installed_dbt(), *args, *(["--target", target] if target else []),
            "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
            "--target-path", str(target_path),
            "--log-path", str(target_path.with_name(target_path.name.replace("target", "logs"))),
        ],
        cwd=DBT_PROJECT_DIR,
        env={**(os.environ if environ is None else environ), "U2C_DATA_DIR": str(data_dir)},
        capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip


def prepare(project: DbtProject) -> bool:
    """Run `dbt parse` so manifest.json exists for this data dir, unless it was parsed from the
    project's files as they are now (`manifest.digest` beside it: their content digest, taken
    before the parse). A parse costs several seconds per `u2c` command. True if it ran."""
    manifest = Path(project.manifest_path)
    stamp = manifest.with_name("manifest.digest")
    # one parse at a time per data dir: two processes starting together (pytest-xdist workers,
    # a CLI run beside the UI) would otherwise both write manifest.json, and one read it half
    # written
    with held(manifest.with_name(".parse.lock")):
        digest = project_files_digest(Path(project.project_dir))
        if manifest.exists() and stamp.exists() and stamp.read_text() == digest:
            return False
        # dagster-dbt's own preparer would run `dbt` from PATH
        cli = DbtCli(project_dir=project)
        cli.cli(["parse", "--quiet"], target_path=project.target_path).wait()
        stamp.write_text(digest)
    return True


class DbtCli(DbtCliResource):
    """dagster-dbt's resource, with dbt run in this process (`orchestration.dbt_in_process`: dbt
    imported once, its parsed manifest reused by every step) instead of a `dbt` subprocess per
    step, and the dbt version read from the installed dbt-core package (the stock resource runs
    `dbt --version`, about 3 s, before every dbt step). The selection, the translator and the
    events are dagster-dbt's own: `cli` is the stock one up to starting dbt."""

    def __init__(self, project_dir, dbt_executable: str | None = None, **kwargs):
        super().__init__(
            project_dir=project_dir, dbt_executable=dbt_executable or installed_dbt(), **kwargs
        )

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(installed_version("dbt-core"))

    def cli(
        self,
        args,
        *,
        raise_on_error: bool = True,
        manifest=None,
        dagster_dbt_translator: DagsterDbtTranslator | None = None,
        context=None,
        target_path: Path | None = None,
    ) -> DbtCliInvocation:
        translator = validate_opt_translator(dagster_dbt_translator) or DagsterDbtTranslator()
        cleaned_args, selects, excludes = extract_runtime_selection_from_args(args)
        params = get_updated_cli_invocation_params_for_context(
            context=context,
            manifest=validate_manifest(manifest) if manifest else {},
            dagster_dbt_translator=translator,
            runtime_selects=selects,
            runtime_excludes=excludes,
        )
        project = params.dbt_project
        project_dir = Path(project.project_dir if project else self.project_dir)
        target_path = Path(target_path or self._get_unique_target_path(context=context))
        if not target_path.is_absolute():
            target_path = project_dir / target_path
        indirect = params.indirect_selection
        profile_args = [*(["--profile", self.profile] if self.profile else [])]
        profile_args += ["--target", self.target] if self.target else []
        dbt_args = [
            *self.global_config_flags,
            *cleaned_args,
            *location_args(project_dir, self.profiles_dir, target_path),
            *profile_args,
            *params.selection_args,
            *(["--indirect-selection", params.indirect_selection] if indirect else []),
        ]
        process = DbtThread(
            dbt_args,
            project_dir=project_dir,
            profiles_dir=self.profiles_dir,
            target_path=target_path,
            # the data dir's target, where `prepare` parsed: dagster-dbt's default target path
            base_target=Path(os.environ.get("DBT_TARGET_PATH", project_dir / "target")),
        )
        invocation = DbtCliInvocation(
            process=process,
            manifest=params.manifest,
            dagster_dbt_translator=params.dagster_dbt_translator,
            project_dir=project_dir,
            target_path=target_path,
            raise_on_error=raise_on_error,
            cli_version=self._cli_version,
            project=project,
            context=context,
        )
        # dagster-dbt's own line (its subprocess start logs it): the step's log names the command
        get_dagster_logger().info(f"Running dbt command: `{invocation.dbt_command}`.")
        return invocation
