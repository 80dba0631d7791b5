"""Compare two demo worlds built by different code: every mart row and every export file.

    python -m tests.tools.compare_worlds BEFORE_DATA_DIR AFTER_DATA_DIR

A refactor that claims "behaviour unchanged" proves it here: each table of the published marts
(`published/marts.duckdb`) is compared as a multiset of rows (`except all` both ways, through
`exports.mart_diff`, as `u2c replay` checks a rebuild) with its column names and types, and each
file under `exports/` byte for byte. Only what differs per run by nature is exempt: the run's
clock and ids (VOLATILE_COLUMNS in the marts, VOLATILE_KEYS in the JSON manifests and close
reports).
Exit status 0 when the worlds are identical, 1 otherwise (each difference printed).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from exports.mart_diff import diff_marts

# JSON keys whose values are the run's clock or identity, never its content.
VOLATILE_KEYS = frozenset(
    {
        "generated_at",
        "published_at",
        "created_at",
        "exported_at",
        "run_id",
        "dagster_run_id",
        "started_at",
        "finished_at",
        "last_landed_at",  # the watermark: when landing ran
    }
)


# Mart columns whose values are the run's own: when landing or the run happened, its id, how
# long each step took, and `ops_runs.dbt_rows` (every row dbt wrote, intermediate tables and seeds
# included: a refactor that adds a seed or a table changes it). `export_batches.path` holds the
# world's data dir; the batch's files are compared under exports/ by their relative paths.
VOLATILE_COLUMNS = frozenset(
    {
        "landed_at",
        "last_landed_at",
        "run_id",
        "started_at",
        "finished_at",
        "landing_seconds",
        "dbt_seconds",
        "checks_seconds",
        "exports_seconds",
        "publish_seconds",
        "dbt_rows",
        "path",
    }
)

# the published copy of the marts keeps them in its main schema
SCHEMA = "main"


def _scrub(value: object) -> object:
    if isinstance(value, dict):
        return {k: ("<volatile>" if k in VOLATILE_KEYS else _scrub(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def _files(root: Path) -> dict[str, Path]:
    return {str(p.relative_to(root)): p for p in sorted(root.rglob("*")) if p.is_file()}


def compare_marts(before: Path, after: Path) -> tuple[int, list[str]]:
    """How many marts were compared, and each that differs."""
    warehouses = [d / "published" / "marts.duckdb" for d in (before, after)]
    diffs = diff_marts(*warehouses, schema=SCHEMA, exempt=VOLATILE_COLUMNS)
    return len(diffs), [
        f"mart {d.table}: {d.rows} rows, {d.only_in_reference} only before, "
        f"{d.only_in_rebuild} only after (or its columns differ in name or type)"
        for d in diffs
        if not d.identical
    ]


def compare_exports(before: Path, after: Path) -> list[str]:
    problems = []
    left, right = (_files(d / "exports") for d in (before, after))
    for name in sorted(left.keys() - right.keys()):
        problems.append(f"export {name}: only before")
    for name in sorted(right.keys() - left.keys()):
        problems.append(f"export {name}: only after")
    for name in sorted(left.keys() & right.keys()):
        a, b = left[name].read_bytes(), right[name].read_bytes()
        if a == b:
            continue
        if name.endswith(".json") and _scrub(json.loads(a)) == _scrub(json.loads(b)):
            continue  # differs only in the run's clock or ids
        problems.append(f"export {name}: bytes differ")
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    before, after = (Path(a) for a in argv)
    marts, problems = compare_marts(before, after)
    problems += compare_exports(before, after)
    files = len(_files(before / "exports"))
    for line in problems:
        print(line)
    verdict = "identical" if not problems else f"{len(problems)} differences"
    print(f"{marts} marts and {files} export files compared: {verdict}")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
