"""One generated world for the end-to-end modules, built once per session through the real CLI
(`u2c generate` + `u2c run`: three Dagster runs).

The modules share it in file order: test_gate (tampers with the warehouse and restores it),
test_pipeline (reads, reruns without new input), then test_replay, which adds late data and so
runs last (its name sorts after the others; pytest keeps file order).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_u2c

TINY = ["--seed", "11", "--days", "62", "--customers", "8", "--events-per-day", "200"]
FIRST_DAY, LAST_DAY = "2026-08-01", "2026-10-01"  # the world's 62 days
FIRST_MONTH, LAST_MONTH = "2026-08-01", "2026-10-01"


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("world")
    generated = run_u2c(data_dir, "generate", *TINY)
    assert generated.returncode == 0, generated.stderr
    first = run_u2c(data_dir, "run")
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    # what the user saw, for the tests of the terminal output (outside the data dir)
    (data_dir.parent / "first_run.stdout").write_text(first.stdout)
    (data_dir.parent / "first_run.stderr").write_text(first.stderr)
    assert (data_dir / "published" / "marts.duckdb").exists()
    return data_dir
