"""Errors `u2c` reports in one line, without a traceback: a mistake the user can fix (a missing
data dir, an unknown batch, a bad filter; exit 2), or a run that failed with its details in a
log file (exit 1)."""


class UserError(Exception):
    exit_code = 2


class RunFailed(UserError):
    exit_code = 1
