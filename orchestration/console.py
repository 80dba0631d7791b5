"""What `u2c` shows while the pipeline runs.

The terminal gets progress: each step as it starts and ends (with its time), what landing and
the exports say, every warning and error, and the summary at the end. Dagster's DEBUG event
stream and dbt's own output go to a log file under the data dir (`logs/u2c-<UTC time>.log`);
`-v` shows them on the terminal as well.

Two Dagster loggers do it, configured per run by `u2c` (the daemon's runs keep Dagster's console
logger): `progress` writes short lines to a file descriptor (the terminal's stderr, saved before
stdout and stderr are pointed at the log file), `logfile` writes every event to the log file.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from dagster import Field, InitLoggerContext, logger

DBT_STEPS = frozenset({"warehouse_models", "usage_models", "period_models", "confirmation_models"})
LONG_STEPS = DBT_STEPS | {"land_sources"}  # the steps whose start is worth a line of its own
EVERY_N_MODELS = 25  # a progress line per this many dbt models built
FORMAT = "%(asctime)s - %(levelname)s - %(message)s"


def every_tenth(done: int, total: int) -> bool:
    """About ten progress lines for `total` items, however many: each tenth, and the last."""
    return done == total or done % max(1, total // 10) == 0


def _meta(record: logging.LogRecord) -> dict:
    return getattr(record, "dagster_meta", None) or {}


def _seconds(event) -> str:
    duration = getattr(event.event_specific_data, "duration_ms", None)
    return f" in {duration / 1000:.1f} s" if duration is not None else ""


def progress_line(record: logging.LogRecord, built: dict[str, set]) -> str | None:
    """The terminal line for one Dagster log record, or None: the long steps' starts, every
    step's end, dbt models built (every EVERY_N_MODELS models, partitions aside), and the
    messages of our own steps (dbt steps' only from WARNING up: dagster-dbt's own INFO lines are
    for the log file)."""
    meta = _meta(record)
    step = meta.get("step_key")
    event = meta.get("dagster_event")
    if event is not None:
        if event.is_step_start:
            return f"{step} ..." if step in LONG_STEPS else None
        if event.is_step_success:
            return f"{step} done{_seconds(event)}"
        if event.is_step_failure:
            error = getattr(event.event_specific_data, "error", None)
            reason = f": {error.message.strip().splitlines()[0]}" if error else ""
            return f"{step} FAILED{reason}"
        if event.is_step_materialization and step in DBT_STEPS:
            models = built.setdefault(step, set())
            before = len(models)
            models.add(event.asset_key)
            if len(models) > before and len(models) % EVERY_N_MODELS == 0:
                return f"{step}: {len(models)} models built"
        if event.is_run_failure:
            return f"run {meta.get('run_id', '')[:8]} ({meta.get('job_name')}) FAILED"
        return None
    if step is None:
        return None
    if record.levelno >= logging.WARNING or (
        record.levelno >= logging.INFO and step not in DBT_STEPS
    ):
        return f"{step}: {meta.get('orig_message', record.getMessage())}"
    return None


class _ProgressHandler(logging.Handler):
    def __init__(self, fd: int):
        super().__init__(logging.DEBUG)
        self.fd = fd
        self.built: dict[str, set] = {}

    def emit(self, record: logging.LogRecord) -> None:
        line = progress_line(record, self.built)
        if line is not None:
            stamp = time.strftime("%H:%M:%S")
            os.write(self.fd, f"  {stamp} {line}\n".encode(errors="replace"))


@logger(
    {"fd": Field(int, description="file descriptor to write progress lines to")},
    description="Short progress lines for a terminal (u2c).",
)
def progress_logger(init_context: InitLoggerContext) -> logging.Logger:
    log = logging.Logger("u2c.progress", logging.DEBUG)
    log.addHandler(_ProgressHandler(init_context.logger_config["fd"]))
    return log


@logger(
    {
        "path": Field(str, description="log file to append to"),
        "log_level": Field(str, is_required=False, default_value="DEBUG"),
    },
    description="Every event of the run, appended to a log file (u2c).",
)
def file_logger(init_context: InitLoggerContext) -> logging.Logger:
    config = init_context.logger_config
    log = logging.Logger("u2c.logfile", config["log_level"])
    handler = logging.FileHandler(config["path"], encoding="utf-8")
    handler.setFormatter(logging.Formatter(FORMAT))
    log.addHandler(handler)
    return log


LOGGERS = {"progress": progress_logger, "logfile": file_logger}


@dataclass(frozen=True)
class RunOutput:
    log_file: Path
    verbose: bool
    progress_fd: int | None  # the terminal, while stdout and stderr point at the log file

    def loggers(self) -> dict:
        """The run config's `loggers`: to the log file always; progress lines when quiet, the
        console logger at DEBUG with -v."""
        config: dict = {"logfile": {"config": {"path": str(self.log_file)}}}
        if self.verbose:
            config["console"] = {"config": {"log_level": "DEBUG"}}
        if self.progress_fd is not None:
            config["progress"] = {"config": {"fd": self.progress_fd}}
        return {"loggers": config}

    def say(self, message: str) -> None:
        """A progress line of our own (before and between runs)."""
        fd = self.progress_fd if self.progress_fd is not None else sys.stderr.fileno()
        sys.stderr.flush()
        os.write(fd, f"  {time.strftime('%H:%M:%S')} {message}\n".encode(errors="replace"))


def new_log_file(logs_dir: Path) -> Path:
    logs_dir.mkdir(parents=True, exist_ok=True)
    return logs_dir / f"u2c-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%fZ')}.log"


@contextlib.contextmanager
def run_output(logs_dir: Path, verbose: bool) -> Iterator[RunOutput]:
    """Quiet: file descriptors 1 and 2 point at the log file while the block runs (dbt's output,
    Python warnings, anything a library prints), progress goes to the saved terminal. Verbose:
    the terminal keeps everything, and the log file gets the Dagster events too."""
    log_file = new_log_file(logs_dir)
    log_file.touch()
    if verbose:
        yield RunOutput(log_file, True, None)
        return
    sys.stdout.flush()
    sys.stderr.flush()
    saved_out, saved_err = os.dup(1), os.dup(2)
    target = os.open(log_file, os.O_WRONLY | os.O_APPEND)
    try:
        os.dup2(target, 1)
        os.dup2(target, 2)
        yield RunOutput(log_file, False, saved_err)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved_out, 1)
        os.dup2(saved_err, 2)
        for fd in (saved_out, saved_err, target):
            os.close(fd)
