"""The lake against its ledger: a corrupted or truncated file is found, named with its path and
batch, and never read as fewer rows; a damaged batch can be landed again from its inbox file.

`check_lake` reads every landed file's Parquet footer and compares its rows with the ledger
(rows landed in `raw/`, rows quarantined in `quarantine/`): an unreadable footer (a truncated
or overwritten file), a missing file or another row count is a problem. It reads footers only, so
it runs before every warehouse build; `deep=True` also reads every page and verifies the page
checksums landing writes (a flipped bit inside a page), for `u2c check-lake --deep`.

`reland` lands one batch again from its inbox file, if that file is still there with the same
content (its sha256 is the batch id): the batch's files and ledger row are removed and the file
is landed as it was the first time (same landing time and partition, conflicts looked for only
among the batches landed before it), so the lake ends up as it was before the damage.

Both work on an s3:// lake too, through its landing site (`sources/landing_site.py`): problems
then name s3:// URIs.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from sources.atomic import sha256_file
from sources.commit import commit_staged
from sources.duckdb_connections import connections
from sources.lake_files import batch_id_for
from sources.lake_recovery import lake_writer
from sources.landing_site import LEDGER_DIR, LandingSite
from sources.stage import stage_file
from sources.table_contract import BatchResult, TableContract


@dataclass(frozen=True)
class LakeProblem:
    path: Path | str  # an s3:// URI on an object-storage lake
    batch_id: str
    file_name: str  # the inbox file the batch came from
    problem: str

    def __str__(self) -> str:
        return (
            f"{self.path}: {self.problem} (batch {self.batch_id}, inbox file {self.file_name}; "
            f"`u2c reland {self.batch_id}` lands it again if the inbox file is still there)"
        )


class LakeCorrupted(Exception):
    """Landed files do not match the ledger: building on them would lose or invent rows."""

    def __init__(self, problems: list[LakeProblem]) -> None:
        self.problems = problems
        listed = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{len(problems)} landed file(s) do not match the ledger:\n{listed}")


def ledger_rows(lake: Path | LandingSite) -> list[dict]:
    if isinstance(lake, LandingSite) and lake.remote is not None:
        files = sorted(lake.parquet_files(LEDGER_DIR))
        tables = [lake.remote.read_parquet(f) for f in files]
        return pa.concat_tables(tables).to_pylist() if tables else []
    lake = LandingSite.of(lake).local
    folder = lake / "_ledger" / "landing_batches"
    files = sorted(p for p in folder.glob("*.parquet") if not p.name.startswith(("_", ".")))
    return pq.ParquetDataset([str(f) for f in files]).read().to_pylist() if files else []


def _index(lake: Path | LandingSite) -> dict[tuple[str, str, str, str], list]:
    """Every landed file by (area, system, table, batch id): one walk of the lake, not one
    listing per batch (local paths, or s3:// URIs)."""
    files: dict[tuple[str, str, str, str], list] = {}
    if isinstance(lake, LandingSite) and lake.remote is not None:
        for area in ("raw", "quarantine"):
            for uri in sorted(lake.parquet_files(area)):
                system, table, partition, name = uri.rsplit("/", 4)[1:]
                if partition.startswith("load_date="):
                    files.setdefault((area, system, table, name[: -len(".parquet")]), []).append(
                        uri
                    )
        return files
    lake = LandingSite.of(lake).local
    for area in ("raw", "quarantine"):
        for path in sorted((lake / area).glob("*/*/load_date=*/*.parquet")):
            system, table = path.parent.parent.parent.name, path.parent.parent.name
            files.setdefault((area, system, table, path.stem), []).append(path)
    return files


def _rows_in(path: Path | str, deep: bool, site: LandingSite | None = None) -> int:
    remote = site.remote if site is not None else None
    # A local file goes to Arrow by path, not as a Python file object: Arrow's I/O threads read
    # a Python file under the GIL, and one still reading when the interpreter exits aborts the
    # process ("terminate called without an active exception", 3 runs in 40 of `--deep`).
    with (
        remote.open_input_file(str(path)) if remote else contextlib.nullcontext(str(path)) as source
    ):
        if deep:
            return pq.read_table(source, page_checksum_verification=True).num_rows
        return pq.read_metadata(source).num_rows


def check_batch(
    lake: Path | LandingSite,
    row: dict,
    children: tuple[str, ...] = (),
    deep: bool = False,
    index=None,
) -> list[LakeProblem]:
    """The problems of one ledger row's files (`index`: `_index(lake)`, made once per check)."""
    site = LandingSite.of(lake)
    problems: list[LakeProblem] = []
    batch, system, table = row["batch_id"], row["system"], row["source_table"]
    index = _index(lake) if index is None else index

    def problem(path: Path | str, text: str) -> None:
        problems.append(LakeProblem(path, batch, row["file_name"], text))

    expected = {"raw": row["rows_landed"], "quarantine": row["rows_quarantined"]}
    for area, rows in expected.items():
        files = index.get((area, system, table, batch), [])
        if rows and not files:
            missing = site.uri(f"{area}/{system}/{table}")
            problem(
                missing if site.remote else Path(missing), f"missing: the ledger counts {rows} rows"
            )
        if len(files) > 1:
            partitions = [str(f).rsplit("/", 2)[-2] for f in files]
            table_dir = str(files[0]).rsplit("/", 2)[0]
            problem(table_dir if site.remote else Path(table_dir), f"landed twice: {partitions}")
        found = 0
        for path in files:
            try:
                found += _rows_in(path, deep, site)
            except Exception as error:  # any read failure is the finding: name file and batch
                problem(path, f"unreadable ({type(error).__name__}: {error})")
                found = None
                break
        if found is not None and files and found != rows:
            problem(files[0], f"{found} rows where the ledger counts {rows} {area}")
    for child in children:
        for path in index.get(("raw", system, child, batch), []):
            try:
                _rows_in(path, deep, site)
            except Exception as error:
                problem(path, f"unreadable ({type(error).__name__}: {error})")
    return problems


def check_lake(
    lake: Path | LandingSite, contracts: list[TableContract] = (), *, deep: bool = False
) -> list[LakeProblem]:
    """Every landed batch's files against its ledger row (footers only unless `deep`)."""
    site = LandingSite.of(lake)
    children = {(c.system, c.table): tuple(c.children) for c in contracts}
    problems: list[LakeProblem] = []
    index = _index(site)
    for row in ledger_rows(site):
        kids = children.get((row["system"], row["source_table"]), ())
        problems += check_batch(site, row, kids, deep, index)
    return problems


class CannotReland(Exception):
    pass


def reland(
    batch_id: str, inbox: Path, lake: Path | LandingSite, contracts: list[TableContract]
) -> BatchResult:
    """Land `batch_id` again from its inbox file (see the module note)."""
    site = LandingSite.of(lake)
    with lake_writer(site):
        rows = {r["batch_id"]: r for r in ledger_rows(site)}
        if batch_id not in rows:
            raise CannotReland(f"no landed batch {batch_id!r} in the ledger")
        row = rows[batch_id]
        contract = next(
            (c for c in contracts if (c.system, c.table) == (row["system"], row["source_table"])),
            None,
        )
        path = inbox / row["system"] / row["file_name"]
        if contract is None or not path.is_file():
            raise CannotReland(f"{path}: the inbox file of batch {batch_id} is not there")
        if batch_id_for(contract, sha256_file(path)) != batch_id:
            raise CannotReland(f"{path} changed since batch {batch_id} landed: not the same file")
        landed_at: datetime = row["landed_at"]
        earlier = {b for b, r in rows.items() if r["landed_at"] < landed_at}
        index = _index(site)
        for table in (contract.table, *contract.children):
            for area in ("raw", "quarantine"):
                for old in index.get((area, contract.system, table, batch_id), []):
                    site.remove(old)
        site.remove(site.uri(f"{LEDGER_DIR}/{batch_id}.parquet"))
        with connections() as connect:
            staged = stage_file(path, contract, site, landed_at, connect)
            if isinstance(staged, BatchResult):  # cannot happen: its ledger row is gone
                return staged
            return commit_staged(staged, connect(), earlier)
