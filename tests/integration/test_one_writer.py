"""One writer: a second concurrent run waits for the warehouse pool's slot, it does not fail.

Two separate processes, sharing one DAGSTER_HOME that holds a copy of the project's dagster.yaml,
each execute a one-asset job whose asset is in WAREHOUSE_POOL, released together after both have
imported Dagster. The pool is never configured explicitly, so its limit comes from dagster.yaml
(`concurrency: pools: default_limit: 1`); with `granularity: op` the in-process executor claims
a slot in the instance's event log storage before it starts the step and, while the slot is
taken, retries instead of failing. Both runs succeed and the asset bodies run one after the other.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from dagster import DagsterEventType, DagsterInstance
from dagster._core.instance.config import PoolGranularity

from orchestration.pools import WAREHOUSE_POOL

PROJECT_ROOT = Path(__file__).resolve().parents[2]
HOLD_SECONDS = 2.0

WORKER = """
import json
import sys
import time
from pathlib import Path

from dagster import DagsterInstance, Definitions, asset, define_asset_job

from orchestration.pools import WAREHOUSE_POOL

out, ready, go = (Path(arg) for arg in sys.argv[1:4])
window = out.with_suffix(".window")


@asset(pool=WAREHOUSE_POOL)
def warehouse_writer() -> None:
    start = time.time()
    time.sleep(HOLD_SECONDS)
    window.write_text(json.dumps({"start": start, "end": time.time()}))


defs = Definitions(assets=[warehouse_writer], jobs=[define_asset_job("one_writer")])
job = defs.resolve_job_def("one_writer")
with DagsterInstance.get() as instance:
    # a start barrier only, so that both runs claim the slot at the same moment
    ready.touch()
    deadline = time.time() + 20
    while not go.exists() and time.time() < deadline:
        time.sleep(0.01)
    result = job.execute_in_process(instance=instance, raise_on_error=False)
    times = json.loads(window.read_text()) if window.exists() else {}
    out.write_text(json.dumps({"run_id": result.run_id, "success": result.success, **times}))
""".replace("HOLD_SECONDS", repr(HOLD_SECONDS))


def blocked_messages(instance: DagsterInstance, run_id: str) -> list[str]:
    """The engine events of a run whose step found the pool full (the first time)."""
    return [
        e.message
        for e in instance.all_logs(run_id, of_type=DagsterEventType.ENGINE_EVENT)
        if e.message.startswith("Step blocked by limit for pool")
    ]


def test_a_second_concurrent_run_waits_for_the_warehouse_slot(tmp_path, monkeypatch):
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(PROJECT_ROOT / "dagster.yaml", home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    go = tmp_path / "go"
    env = {**os.environ, "DAGSTER_HOME": str(home), "PYTHONPATH": str(PROJECT_ROOT)}
    names = ("a", "b")

    # The storage is created once, as `dagster dev` or an earlier run would have, before the race.
    with DagsterInstance.get() as instance:
        storage = instance.event_log_storage
        assert storage.supports_global_concurrency_limits
        pool_config = instance.get_concurrency_config().pool_config
        assert pool_config.pool_granularity == PoolGranularity.OP
        assert pool_config.default_pool_limit == 1
        assert WAREHOUSE_POOL not in {p.name for p in storage.get_pool_limits()}

        procs = [
            subprocess.Popen(
                [sys.executable, str(script)]
                + [str(tmp_path / f"{name}.{suffix}") for suffix in ("json", "ready")]
                + [str(go)],
                env=env,
                cwd=tmp_path,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for name in names
        ]
        try:
            deadline = time.time() + 20
            while time.time() < deadline and not all(
                (tmp_path / f"{name}.ready").exists() for name in names
            ):
                time.sleep(0.01)
            go.touch()
            outputs = [p.communicate(timeout=30)[0] for p in procs]
        finally:
            for p in procs:
                if p.poll() is None:
                    p.kill()
                    p.wait()
        for p, output in zip(procs, outputs, strict=True):
            assert p.returncode == 0, output

        first, second = sorted(
            (json.loads((tmp_path / f"{name}.json").read_text()) for name in names),
            key=lambda run: run.get("start", float("inf")),
        )
        assert first["success"] and second["success"], outputs
        assert first["end"] - first["start"] >= HOLD_SECONDS
        # the second asset body began only after the first had finished: it waited for the slot
        assert second["start"] >= first["end"], (
            "both runs held the pool's only slot at once: the slot claim was not atomic",
            first,
            second,
        )
        # ... because the pool blocked it, not because it happened to start later
        assert blocked_messages(instance, first["run_id"]) == []
        assert blocked_messages(instance, second["run_id"]) == [
            f"Step blocked by limit for pool {WAREHOUSE_POOL}"
        ]

        # the pool took dagster.yaml's default_limit, 1, and its slot is free again
        (pool,) = [p for p in storage.get_pool_limits() if p.name == WAREHOUSE_POOL]
        assert (pool.limit, pool.from_default) == (1, True)
        info = storage.get_concurrency_info(WAREHOUSE_POOL)
        assert (info.limit, info.slot_count) == (1, 1)
        assert info.claimed_slots == []
        assert info.pending_steps == []
