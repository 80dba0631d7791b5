"""Shared fixtures: every test that needs a data dir gets its own under tmp."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent

# A pytest-xdist worker's __main__ (execnet's) has no __file__ and no __spec__, which
# pyspark.sql.connect (imported by Great Expectations) takes for its own doctest run, and exits.
if os.environ.get("PYTEST_XDIST_WORKER") and not hasattr(sys.modules["__main__"], "__file__"):
    sys.modules["__main__"].__file__ = __file__

# A test's kind is the directory it lives in, so `pytest -m unit` (or integration, e2e,
# reliability) selects by kind without a decorator on every file.
KINDS = ("unit", "integration", "e2e", "reliability")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        kind = Path(str(item.fspath)).parent.name
        if kind in KINDS:
            item.add_marker(getattr(pytest.mark, kind))
        # `make test` runs on every core (pytest-xdist, --dist loadgroup) with a module's tests
        # on one worker, so its module fixtures are built once, and the tests of the shared
        # end-to-end world together on one worker, in file order (tests/e2e/conftest.py).
        shared = {"world", "rerun"} & set(getattr(item, "fixturenames", ()))
        group = "e2e-world" if kind == "e2e" and shared else item.nodeid.split("::")[0]
        item.add_marker(pytest.mark.xdist_group(group))


# Cases generated per kind ("records fuzzed", "crash trials", ...) by the reliability suite,
# printed at the end of the session: the figures of the suite's closing table. Here, not in
# tests/reliability: under pytest-xdist only this conftest is loaded by the controller, which
# adds up what each worker counted.
TALLY: Counter[str] = Counter()


@pytest.fixture(scope="session")
def tally() -> Counter[str]:
    return TALLY


def pytest_sessionfinish(session: pytest.Session) -> None:
    if hasattr(session.config, "workeroutput"):  # a pytest-xdist worker
        session.config.workeroutput["tally"] = dict(TALLY)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    TALLY.update(getattr(node, "workeroutput", {}).get("tally", {}))


def pytest_terminal_summary(terminalreporter) -> None:
    if TALLY:
        terminalreporter.write_sep("-", "reliability suite: cases generated")
        for kind, count in sorted(TALLY.items()):
            terminalreporter.write_line(f"{kind}: {count}")


def run_u2c(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the real console script, as a user would, against `data_dir`."""
    env = {**os.environ, "U2C_DATA_DIR": str(data_dir)}
    env.pop("DAGSTER_HOME", None)
    return subprocess.run(
        [str(BIN / "u2c"), *args], env=env, capture_output=True, text=True, timeout=600, check=False
    )


@contextlib.contextmanager
def dagster_instance(data_dir: Path):
    """The data dir's Dagster instance, opened as u2c opens it (DAGSTER_HOME set)."""
    from dagster import DagsterInstance

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DAGSTER_HOME", str(data_dir / "dagster_home"))
        with DagsterInstance.get() as instance:
            yield instance


@pytest.fixture(scope="session")
def defs_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir with a parsed dbt manifest, so the Dagster definitions can be imported."""
    data_dir = tmp_path_factory.mktemp("defs")
    os.environ["U2C_DATA_DIR"] = str(data_dir)
    from orchestration.dbt_project import make_dbt_project, prepare
    from orchestration.settings import Settings

    Settings.from_env().apply()
    prepare(make_dbt_project())
    return data_dir
