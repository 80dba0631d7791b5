"""The Dagster UI, in a real browser: `dagster dev` on a free local port, from a shell without the
venv on PATH; the asset graph shows the groups, a group's graph its assets, an asset page its
description and owner."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.browser import Browser

BIN = Path(sys.executable).parent
LOCATION = "__repository__@orchestration.definitions"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"dagster dev exited with {process.returncode}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as response:
            if response.status == 200:
                return
        time.sleep(1)
    raise AssertionError(f"dagster dev did not answer {url} in {timeout} s")


def loopback(port: int) -> list[str]:
    return ["-h", "127.0.0.1", "-p", str(port)]


@contextlib.contextmanager
def dagster_dev(data_dir: Path, home: Path, log: Path):
    port = free_port()
    home.mkdir(parents=True, exist_ok=True)
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "U2C_DATA_DIR": str(data_dir),
        "DAGSTER_HOME": str(home),
    }
    with open(log, "w") as out:
        process = subprocess.Popen(
            [BIN / "dagster", "dev", "-m", "orchestration.definitions", *loopback(port)],
            env=env,
            cwd=home,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its webserver, daemon and code server stop with it
        )
        try:
            wait_until_up(f"http://127.0.0.1:{port}/server_info", process)
            yield f"http://127.0.0.1:{port}"
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def test_dagster_ui_shows_the_asset_groups_with_descriptions_and_owners(
    defs_data_dir: Path, tmp_path: Path
):
    log = tmp_path / "dagster-dev.log"
    try:
        with dagster_dev(defs_data_dir, tmp_path / "home", log) as url, Browser() as browser:
            browser.open(f"{url}/asset-groups")
            browser.wait_for("document.body.innerText.includes('marts_reconciliation')", 120)
            lineage = browser.text()
            # the list view: the lineage view draws only what fits its viewport
            browser.open(f"{url}/locations/{LOCATION}/asset-groups/marts_reconciliation/list")
            browser.wait_for(
                "document.body.innerText.includes('rec_summary') "
                "&& document.body.innerText.includes('rec_usage_billing')",
                120,
            )
            group = browser.text()
            browser.open(f"{url}/assets/marts/rec_summary")
            # the UI shows a team owner by its name (without `team:`)
            browser.wait_for(
                "document.body.innerText.includes('finance-systems') "
                "&& document.body.innerText.includes('Reconciliation overview')",
                120,
            )
            asset = browser.text()
    except Exception:
        print(log.read_text()[-5000:])
        raise
    for name in ("landing", "staging", "marts_core", "marts_finance", "exports", "publish"):
        assert name in lineage
    for name in (
        "rec_summary",
        "rec_usage_billing",
        "rec_billing_erp",
        "rec_payments_cash",
        "rec_usage_meters",
        "rec_exports_erp",
    ):
        assert name in group
    assert "Reconciliation overview" in asset  # the model's description from its yml
