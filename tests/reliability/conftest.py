"""The reliability suite: property tests (hypothesis), crash trials, faults, corruption.

`make test` runs it reduced: the `ci` hypothesis profile (few examples, derandomized, so a run
is repeatable) and one crash-trial chain. `make reliability` runs it whole:
`U2C_RELIABILITY=full` (every crash-trial chain) and the `reliability` hypothesis profile.
No test here asserts on time: `deadline=None` everywhere (a shared 2-core machine).
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from demo_world.generate import GenerateOptions, generate
from sources.registry import CONTRACTS
from tests.reliability.crash import (
    CANARIES,
    Outcome,
    fresh_copy,
    generate_world,
    outcome,
    u2c,
)
from tests.reliability.dbt_sql import compile_models
from tests.reliability.fuzz import seed_records

FULL = os.environ.get("U2C_RELIABILITY") == "full"

settings.register_profile(
    "ci",
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "reliability",
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "reliability" if FULL else "ci"))


@pytest.fixture(scope="session")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list]:
    out = tmp_path_factory.mktemp("fuzz-world")
    generate(
        GenerateOptions(
            out=out,
            seed=5,
            days=35,
            customers=4,
            events_per_day=10,
            start=date(2026, 8, 20),
            clean=True,
        )
    )
    found = seed_records(out / "inbox", CONTRACTS)
    # a table the demo world does not deliver starts from the real-shape conformance samples
    absent = [c for c in CONTRACTS if f"{c.system}/{c.table}" not in found]
    found |= seed_records(Path(__file__).parent.parent / "fixtures" / "real", absent)
    assert set(found) == {f"{c.system}/{c.table}" for c in CONTRACTS}, (
        "every contract needs real records to start from"
    )
    return found


# The models whose compiled SQL the property tests run on generated inputs (dbt_sql.py): the money
# properties' posting, allocation and rating, and the contract edges' metering. One `dbt compile`
# for all (each compile parses the whole project first).
COMPILED_MODELS = [
    "int_journal_lines_posted",
    "int_revenue_lines_allocated",
    "int_usage_tiers_rated",
    "int_meters",
    "int_usage_events_metered",
]


@pytest.fixture(scope="session")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Compiled SQL by model name (read only: the tests run it in their own in-memory DuckDB)."""
    return compile_models(COMPILED_MODELS, tmp_path_factory.mktemp("compiled"))


# --- one small world, run once uninterrupted: the crash trials' reference ----------------


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_world(tmp_path_factory.mktemp("kill-world"))


@pytest.fixture(scope="session")
def uninterrupted(template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The uninterrupted run of the same inbox; with secrets in its environment that must not
    reach any file (test_secrets_and_modes.py) and a umask that would let the group write."""
    data_dir = fresh_copy(template, tmp_path_factory.mktemp("uninterrupted"))
    done = u2c(data_dir, "run", extra_env=CANARIES, umask=0o002)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (data_dir / "u2c_run.log").write_text(done.stdout + done.stderr)  # what the user saw
    return data_dir


@pytest.fixture(scope="session")
def reference(uninterrupted: Path) -> Outcome:
    result = outcome(uninterrupted)
    assert result.problems == []
    assert any(name.startswith("journals/") for name in result.exports), "no ERP batch to test"
    return result
