"""`u2c replay --from DATE --to DATE`: rebuild the warehouse from the raw lake in a scratch data
dir, re-derive the ERP batches of those periods, and compare both with what is live.

The scratch dir (`<data dir>/replay/<from>_<to>/`) sees the live lake's raw, ledger and quarantine
folders through symlinks, read only; its warehouse, exports and run records are its own. The runs
(tagged `u2c/replay=true`) are in the live run history, skip landing and never run the ERP export:
the re-derived files go under the scratch dir, so a replay writes nothing new for the ERP.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from exports.mart_diff import MartDiff, diff_marts
from exports.rederive import FileComparison, rederive_batches
from orchestration.errors import UserError
from orchestration.jobs import PERIODS_JOB, USAGE_JOB
from orchestration.partitions import months_between
from orchestration.run_record import REPLAY_TAG
from orchestration.runner import DataSpan, ready, refresh_days, refresh_periods
from orchestration.settings import Settings
from sources import lake_fs

SHARED_LAKE_FOLDERS = ("raw", "_ledger", "quarantine")  # run records (ops/) stay apart


@dataclass(frozen=True)
class ReplayReport:
    first_day: date
    last_day: date
    scratch: Path
    runs: list[dict]
    marts: list[MartDiff]
    files: list[FileComparison]

    @property
    def identical(self) -> bool:
        return (
            all(r["success"] for r in self.runs)
            and all(m.identical for m in self.marts)
            and all(f.identical for f in self.files)
        )

    def to_json(self) -> dict:
        return {
            "from": self.first_day.isoformat(),
            "to": self.last_day.isoformat(),
            "identical": self.identical,
            "runs": self.runs,
            "marts": [asdict(m) | {"identical": m.identical} for m in self.marts],
            "files": [asdict(f) | {"identical": f.identical} for f in self.files],
        }


def prepare_scratch(live: Settings, scratch: Path) -> Settings:
    """A fresh data dir whose lake is the live one (symlinked folders), nothing else shared."""
    if scratch.exists():
        shutil.rmtree(scratch)
    (scratch / "lake").mkdir(parents=True)
    lake = Path(live.lake_uri)  # the data dir's lake, or a local U2C_LAKE_URI's
    for name in SHARED_LAKE_FOLDERS:
        if (lake / name).exists():
            (scratch / "lake" / name).symlink_to((lake / name).resolve(), True)
    return Settings(data_dir=scratch)


def replay(live: Settings, first: date, last: date) -> ReplayReport:
    if live.lake_location and lake_fs.is_s3(live.lake_location):
        # the scratch dir links a local lake's folders; a scratch dir on the bucket would
        # publish its usage snapshot among the live exports
        raise UserError(
            f"u2c replay needs a local lake; U2C_LAKE_URI is {live.lake_location} (replay "
            "from object storage is not supported yet)"
        )
    if not live.warehouse.exists():
        raise FileNotFoundError(f"no warehouse at {live.warehouse}: nothing to replay against")
    scratch = prepare_scratch(live, live.data_dir / "replay" / f"{first}_{last}")
    ready(scratch)
    os.environ["DAGSTER_HOME"] = str(live.dagster_home)  # one run history, replays tagged

    tags = {REPLAY_TAG: "true"}
    span = DataSpan(first, last)
    runs = []
    usage = refresh_days(span, tags=tags)
    runs.append({"job": USAGE_JOB, "run_id": usage.run_id, "success": usage.success})
    if usage.success:
        periods = refresh_periods(span, tags=tags)
        runs.append({"job": PERIODS_JOB, "run_id": periods.run_id, "success": periods.success})
    marts, files = [], []
    if all(r["success"] for r in runs):
        marts = diff_marts(live.warehouse, scratch.warehouse)
        files = rederive_batches(
            scratch.warehouse,
            live.exports_uri,
            set(months_between(first, last)),
            scratch.data_dir / "rederived",
        )
    report = ReplayReport(first, last, scratch.data_dir, runs, marts, files)
    (scratch.data_dir / "replay_report.json").write_text(
        json.dumps(report.to_json(), indent=2, default=str) + "\n"
    )
    return report
