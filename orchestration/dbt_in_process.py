"""dbt run in this process (dbt's programmatic `dbtRunner`) for dagster-dbt, its manifest reused.

A `dbt` subprocess per dbt step paid ~1.5 s to import dbt and ~1.3 s to load the partial parse
(and rewrite manifest.json) before building anything: four steps per `u2c run`, most of a run's
fixed cost. Here dbt is imported once per process, and the manifest dbt parsed is handed to every
later invocation (dbt's "reusing objects" API) while the project files and the environment
variables the parse read are unchanged. dagster-dbt still turns dbt's events into asset events:
`DbtThread` runs the invocation on a thread shaped like the subprocess dagster-dbt expects, its
stdout the same JSON lines `dbt --log-format json` prints.

The partition window (`orchestration.partitions.WINDOW_ENV`) is the exception to "unchanged
environment": the models read it only inside `is_incremental()` blocks, which dbt renders when it
runs the model, from the environment of that invocation, so a manifest parsed under another
window builds the same SQL.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import queue
import shutil
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from orchestration import dbt_graph_summary
from orchestration.partitions import WINDOW_ENV

PARTIAL_PARSE_FILE = "partial_parse.msgpack"
RUN_RESULTS = "run_results.json"
# what the dbt CLI prints at its default log level: dagster-dbt reads results, test outcomes and
# errors from them (the debug events go to the invocation's dbt.log only)
PRINTED_LEVELS = frozenset({"info", "warn", "error"})


# files under the dbt project that are not code (dbt writes them when run by hand there)
GENERATED = frozenset({"target", "logs", "dbt_packages"})


def project_files_digest(project_dir: Path, include=lambda relative: True) -> str:
    """sha256 of the path and content of every project file (`include`d, generated ones aside):
    what a parse reads. The one test of "this project changed" for a kept or stored manifest and
    for the nodes' code versions: mtimes are no proof either way, as a checkout, a copied image
    or an installed release can carry files older than the manifest a previous version parsed."""
    digest = hashlib.sha256()
    for path in sorted(project_dir.rglob("*")):
        relative = path.relative_to(project_dir)
        if path.is_file() and not GENERATED & set(relative.parts) and include(relative):
            digest.update(relative.as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@dataclass(frozen=True)
class Parsed:
    """A manifest dbt parsed, with what it was parsed from."""

    manifest: object  # dbt.contracts.graph.manifest.Manifest
    project_digest: str  # project_files_digest, taken before the parse
    environment: tuple[tuple[str, str | None], ...]

    def still_valid(self, project_dir: Path) -> bool:
        return self.project_digest == project_files_digest(
            project_dir
        ) and self.environment == parse_environment(self.manifest)


def parse_environment(manifest) -> tuple[tuple[str, str | None], ...]:
    """The current values of the environment variables the parse read (but the window)."""
    names = sorted(set(getattr(manifest, "env_vars", {}) or {}) - set(WINDOW_ENV))
    return tuple((name, os.environ.get(name)) for name in names)


_parsed: dict[str, Parsed] = {}
_parsed_lock = threading.Lock()


def remember(project_dir: Path, manifest, project_digest: str) -> None:
    with _parsed_lock:
        _parsed[str(project_dir)] = Parsed(manifest, project_digest, parse_environment(manifest))


def forget() -> None:
    """Drop every kept manifest (the next invocation parses)."""
    with _parsed_lock:
        _parsed.clear()


def reusable(project_dir: Path) -> object | None:
    """The manifest kept for `project_dir`, as parsed, when it is still valid."""
    with _parsed_lock:
        parsed = _parsed.get(str(project_dir))
    if parsed is None or not parsed.still_valid(project_dir):
        return None
    return as_parsed(parsed.manifest)


def as_parsed(manifest):
    """The manifest with its nodes' compile state reset to what a parse leaves: an invocation
    compiles into the manifest it is given, and dbt skips injecting ephemeral models' CTEs into
    a node it marked injected, which would leave the next invocation's SQL without them."""
    for node in manifest.nodes.values():
        # seeds are never compiled: their compile fields are read-only properties
        if not isinstance(getattr(type(node), "extra_ctes_injected", None), property):
            node.compiled, node.compiled_code = False, None
            node.extra_ctes_injected, node.extra_ctes = False, []
    return manifest


def location_args(project_dir: Path, profiles_dir: str | None, target_path: Path) -> list[str]:
    """Where dbt reads and writes, and how it logs: nothing printed (the events reach dagster-dbt
    through the callback), the invocation's dbt.log in JSON beside its artifacts, as the
    subprocess dagster-dbt starts would have them."""
    return [
        "--project-dir",
        str(project_dir),
        *(["--profiles-dir", str(profiles_dir)] if profiles_dir else []),
        "--target-path",
        str(target_path),
        "--log-path",
        str(target_path),
        "--log-level",
        "none",
        "--log-level-file",
        "debug",
        "--log-format-file",
        "json",
        "--no-send-anonymous-usage-stats",
    ]


def release_warehouse() -> None:
    """Close the DuckDB database dbt-duckdb keeps open for the life of the process (its
    `keep_open`, on by default, so its threads share one database), as a dbt process's exit did:
    until then this process's own read-only connections (row counts, the gates, the exports)
    cannot open the warehouse. dbt-duckdb's own close of an environment, as when its credentials
    change; the next invocation opens a new one."""
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # another adapter: nothing kept open
        return
    with DuckDBConnectionManager._LOCK:
        environment, DuckDBConnectionManager._ENV = DuckDBConnectionManager._ENV, None
    if environment is not None:
        environment.close()


class _Lines:
    """The dbt thread's stdout: JSON lines (bytes), read as a pipe's reader reads them."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self.closed = False

    def put(self, line: bytes | None) -> None:
        self._queue.put(line)

    def __iter__(self) -> Iterator[bytes]:
        while not self.closed:
            line = self._queue.get()
            if line is None:
                self.closed = True
                return
            yield line

    def __enter__(self) -> _Lines:
        return self

    def __exit__(self, *_exc) -> None:
        self.closed = True


class DbtThread:
    """One dbt invocation on a thread, with what dagster-dbt uses of `subprocess.Popen`: `args`,
    `stdout`, `wait`, `poll`, `returncode`, `send_signal`. Before it builds, it takes the kept
    manifest, or parses (the partial parse of `base_target`) and keeps it for the next ones."""

    def __init__(
        self,
        dbt_args: Sequence[str],
        *,
        project_dir: Path,
        profiles_dir: str | None,
        target_path: Path,
        base_target: Path | None,
    ) -> None:
        self.args = ["dbt", *dbt_args]
        self.stdout = _Lines()
        self.returncode: int | None = None
        self.result = None
        self._dbt_args = list(dbt_args)
        self._project_dir = project_dir
        self._profiles_dir = profiles_dir
        self._target_path = target_path
        self._base_target = base_target
        self._thread = threading.Thread(target=self._run, name="dbt", daemon=True)
        self._thread.start()

    def _on_event(self, msg) -> None:
        from dbt_common.events.functions import msg_to_json

        if msg.info.level in PRINTED_LEVELS:
            self.stdout.put(msg_to_json(msg).encode())

    def _error(self, error: BaseException) -> None:
        """An error dbt raised rather than logged, as the error line the dbt CLI prints."""
        line = {
            "data": {"exc": repr(error)},
            "info": {
                "name": "MainEncounteredError",
                "level": "error",
                "msg": f"Encountered an error:\n{error!r}",
                "ts": datetime.now(UTC).isoformat(),
            },
        }
        self.stdout.put(json.dumps(line).encode())

    def _manifest(self):
        """The kept manifest, or one parsed now (None when the parse fails: the invocation then
        parses itself and reports the error as its own)."""
        from dbt.cli.main import dbtRunner
        from dbt.contracts.graph.manifest import Manifest

        manifest = reusable(self._project_dir)
        if manifest is not None:
            return manifest
        started = project_files_digest(self._project_dir)
        self._target_path.mkdir(parents=True, exist_ok=True)
        if self._base_target is not None:
            base = self._base_target / PARTIAL_PARSE_FILE
            if base.exists():  # dagster-dbt's way: parsing starts from the last full parse
                shutil.copy(base, self._target_path / PARTIAL_PARSE_FILE)
        location = location_args(self._project_dir, self._profiles_dir, self._target_path)
        result = dbtRunner().invoke(["parse", *location, "--no-write-json"])
        if not result.success or not isinstance(result.result, Manifest):
            return None
        remember(self._project_dir, result.result, started)
        return result.result

    def _run(self) -> None:
        from dbt.cli.main import dbtRunner
        from dbt.contracts.graph.manifest import Manifest

        dbt_graph_summary.install()  # the same graph_summary.json, 0.2 s less per build
        try:
            parsing = self._dbt_args[:1] == ["parse"]
            started = project_files_digest(self._project_dir) if parsing else ""
            manifest = None if parsing else self._manifest()
            runner = dbtRunner(manifest=manifest, callbacks=[self._on_event])
            # dbt ends every build by writing manifest.json (about 1 s at this project's size),
            # which nothing reads from a step's target dir: only run_results.json is kept
            args = self._dbt_args if parsing else [*self._dbt_args, "--no-write-json"]
            result = runner.invoke(args)
            self.result = result
            if not parsing and hasattr(result.result, "write"):
                self._target_path.mkdir(parents=True, exist_ok=True)
                result.result.write(str(self._target_path / RUN_RESULTS))
            if parsing and result.success and isinstance(result.result, Manifest):
                remember(self._project_dir, result.result, started)
            # the dbt CLI's exit codes: 1 when a node failed, 2 when dbt itself did
            self.returncode = 0 if result.success else 2 if result.exception else 1
            if result.exception is not None:
                self._error(result.exception)
        except BaseException as error:  # an interrupted dbt (send_signal) ends the thread here
            self.returncode = 2
            self._error(error)
        finally:
            release_warehouse()
            self.stdout.put(None)

    def poll(self) -> int | None:
        return None if self._thread.is_alive() else self.returncode

    def wait(self, timeout: float | None = None) -> int | None:
        self._thread.join(timeout)
        return self.poll()

    def send_signal(self, _signal: int) -> None:
        """Stop dbt as a SIGINT to its process would: a KeyboardInterrupt in its thread, which
        dbt handles by cancelling its open queries."""
        if self._thread.is_alive() and self._thread.ident is not None:
            ctypes.pythonapi.PyThreadState_SetAsyncExc(
                ctypes.c_ulong(self._thread.ident), ctypes.py_object(KeyboardInterrupt)
            )

    def kill(self) -> None:
        self.send_signal(0)
