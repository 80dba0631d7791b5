"""SIGKILL `u2c run` at named fault points across the whole pipeline, rerun, and prove nothing
was lost, doubled or left half-written (see `crash.py` for what is checked).

Each chain is one trial: its points kill successive runs (so a later point also proves a rerun
that is itself killed), then a run without a fault completes. The points of a chain go forward
through the pipeline, so each is reached by a run that still has that work to do. `make test`
runs CI_CHAINS (2 kills); `make reliability` runs FULL_CHAINS (26 kills over landing, the three
dbt groups, the gates, both exports, the close report and the publish).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.conftest import FULL
from tests.reliability.crash import Outcome, fresh_copy, run_trial

FULL_CHAINS: list[tuple[str, ...]] = [
    ("landing.staged:1", "dbt.warehouse_models.event:10", "export.file_written:1"),
    ("lake.rename:3", "dbt.warehouse_models.built", "gate.usage_daily.saved"),
    ("landing.data_published:1", "dbt.usage_models.event:5", "export.staged:1"),
    ("landing.data_published:30", "dbt.usage_models.built", "export.published:1"),
    ("landing.committed:10", "dbt.period_models.event:10", "export.file_written:6"),
    ("atomic.rename:5", "dbt.period_models.event:60", "export.staged:1"),
    ("landing.committed:40", "gate.journal_lines.saved", "export.published:1"),
    ("dbt.period_models.built", "close_report.written:1", "publish.table_copied:10"),
    ("publish.copied", "publish.swapped"),
]
# mid-landing, then the usage snapshot's staging (in refresh_usage): two kills, short runs
CI_CHAINS: list[tuple[str, ...]] = [("landing.data_published:20", "export.staged:1")]
CHAINS = FULL_CHAINS if FULL else CI_CHAINS


@pytest.mark.parametrize("chain", CHAINS, ids=lambda chain: "+".join(chain))
def test_killed_runs_recover_to_the_uninterrupted_result(
    chain: tuple[str, ...], template: Path, reference: Outcome, tmp_path: Path, tally
):
    data_dir = fresh_copy(template, tmp_path / "data")
    result = run_trial(data_dir, chain, reference)
    tally["crash trials: kills"] += len(result.kills)
    tally["crash trials: kills recovered"] += len(result.kills) if result.passed else 0
    assert result.kills == list(chain), result.problems
    assert result.problems == []
