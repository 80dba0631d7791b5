"""Which failures are worth retrying: I/O hiccups and lock timeouts, never a business rule.

A step wraps its work in `retry_transient`: a transient error becomes Dagster's RetryRequested
with exponential backoff (up to MAX_RETRIES); anything else (a failed dbt test, a contract
violation, an unbalanced journal) fails the step at once, because running it again cannot change
the outcome and would only delay the alert.
"""

import errno
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
from dagster import RetryRequested

MAX_RETRIES = 3
FIRST_WAIT_SECONDS = 2

# messages of errors that go away by themselves (DuckDB's file lock, NFS/disk hiccups)
TRANSIENT_MESSAGES = (
    "could not set lock on file",
    "conflicting lock is held",
    "database is locked",
    "resource temporarily unavailable",
    "timed out",
    "timeout",
    "connection reset",
    "input/output error",
)
# I/O errors that are configuration mistakes, not hiccups
PERMANENT_OS_ERRORS = (FileNotFoundError, PermissionError, IsADirectoryError, NotADirectoryError)
# a full disk or quota, a read-only file system, no permission: waiting 14 s fixes none of them,
# the run fails at once with the path in its message
PERMANENT_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM)


def is_transient(error: BaseException) -> bool:
    if isinstance(error, PERMANENT_OS_ERRORS) or getattr(error, "errno", None) in PERMANENT_ERRNOS:
        return False
    if isinstance(error, TimeoutError | ConnectionError | duckdb.IOException):
        return True
    if isinstance(error, OSError):
        return True
    text = str(error).lower()
    return any(message in text for message in TRANSIENT_MESSAGES)


def backoff_seconds(retry_number: int) -> int:
    return FIRST_WAIT_SECONDS * 2**retry_number


@contextmanager
def retry_transient(retry_number: int) -> Iterator[None]:
    """Turn a transient error into a retry request; let every other error through."""
    try:
        yield
    except Exception as error:
        if is_transient(error) and retry_number < MAX_RETRIES:
            raise RetryRequested(
                max_retries=MAX_RETRIES, seconds_to_wait=backoff_seconds(retry_number)
            ) from error
        raise
