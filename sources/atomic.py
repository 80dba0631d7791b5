"""Write-then-rename helpers: a reader sees the old file or the new one, never a partial one.

Temp files and directories are named `.<target name>.<pid>-<random>.tmp` beside their target:
hidden, never matched by a reader's `*.parquet` / `*.csv`, and tied to the process that writes
them, so `sweep_stale_temps` can remove what a killed process left behind without touching the
temp files of one still running.

Write errors name their file: an ENOSPC or EIO raised by a write or an fsync carries no file
name, so `naming(path)` puts the target's path into the error.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

from sources.faults import fault_point

_TEMP = re.compile(r"^\..+\.(?P<pid>[0-9]+)-[0-9a-f]+\.tmp(?:\.[a-z]+)?$")


def temp_sibling(target: Path) -> Path:
    """A hidden temp name beside `target`, owned by this process (see `sweep_stale_temps`)."""
    return target.with_name(f".{target.name}.{os.getpid()}-{uuid.uuid4().hex}.tmp")


def process_alive(pid: int) -> bool:
    """Whether a process of this pid exists (another user's counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def sweep_stale_temps(root: Path) -> list[Path]:
    """Remove the temp files and directories under `root` whose writing process is gone (a
    killed run's leftovers); return what was removed."""
    removed: list[Path] = []
    if not root.is_dir():
        return removed
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [*filenames, *dirnames]:
            match = _TEMP.match(name)
            if match is None or process_alive(int(match["pid"])):
                continue
            path = Path(dirpath) / name
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
                dirnames.remove(name)
            else:
                path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def with_path(error: OSError, path: Path) -> OSError:
    """`error`, or the same error naming `path` when it names no file or only the hidden temp
    file being written (the user knows the target, not its temp name)."""
    named = error.filename is not None and not any(
        _TEMP.match(part) for part in Path(str(error.filename)).parts
    )
    if named or str(path) in str(error):
        return error
    if error.errno:
        return type(error)(error.errno, error.strerror or str(error), str(path))
    return type(error)(f"{error}: '{path}'")


@contextlib.contextmanager
def naming(path: Path) -> Iterator[None]:
    """Let an OSError raised inside name `path` when it names no file (disk full, I/O error)."""
    try:
        yield
    except OSError as error:
        named = with_path(error, path)
        if named is error:
            raise
        raise named from error


def fsync_path(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


@contextlib.contextmanager
def atomic_path(target: Path, mode: int | None = None) -> Iterator[Path]:
    """Yield a temp path beside `target`; on success fsync and rename it over `target`
    (with permission bits `mode` when given)."""
    with naming(target):
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = temp_sibling(target)
        try:
            yield tmp
            fsync_path(tmp)
            if mode is not None:
                os.chmod(tmp, mode)
            fault_point("atomic.rename")
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)


def atomic_write_bytes(target: Path, payload: bytes, mode: int | None = None) -> None:
    with atomic_path(target, mode) as tmp:
        tmp.write_bytes(payload)


def sha256_file(path: Path, chunk_size: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()
