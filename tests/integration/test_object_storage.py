"""The lake and the exports on s3://, against moto's S3 server started here on 127.0.0.1:
the filesystem layer (sources/lake_fs.py) writes, lists and publishes the same way on S3 as on
local disk, DuckDB reads the lake through httpfs offline, and the manifest-last publish holds
exactly once on a store without rename."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import boto3
import duckdb
import pyarrow as pa
import pytest
from moto.server import ThreadedMotoServer

from demo_world.generate import GenerateOptions, generate
from expectations.journal_gate import run_journal_gate
from exports.close_page import write_close_page
from exports.close_report import write_close_report
from exports.erp_journals import export_journals, read_ledger
from exports.export_ledger import mirror_ledgers
from exports.mart_diff import diff_marts
from exports.publish import publish_files
from exports.rederive import published_manifests
from exports.usage_daily import export_usage_daily
from orchestration import up_to_date
from orchestration.dbt_project import run_dbt
from orchestration.defs.quality import usage_landed
from orchestration.exports_view import list_view, show_view
from orchestration.resources import data_dir_resources
from orchestration.runner import data_span
from orchestration.settings import Settings
from orchestration.status import freshness
from sources import lake_fs
from sources.lake_check import check_lake, reland
from sources.lake_recovery import committed_batches
from sources.landing import land_inbox
from sources.landing_site import LandingSite
from sources.registry import CONTRACTS

BUCKET = "u2c-lake"


@pytest.fixture(scope="module")
def s3_environ():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    environ = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": f"http://{host}:{port}",
    }
    client = boto3.client(
        "s3",
        endpoint_url=environ["AWS_ENDPOINT_URL"],
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=BUCKET)
    yield environ, client
    server.stop()


def _lakes(tmp_path, s3_environ):
    environ, _ = s3_environ
    local = lake_fs.Lake.at(str(tmp_path / "lake"), environ)
    remote = lake_fs.Lake.at(f"s3://{BUCKET}/{tmp_path.name}/lake", environ)
    return local, remote


def _events(day: str, amounts: list[str]) -> pa.Table:
    return pa.table(
        {
            "event_id": [f"{day}-{i}" for i in range(len(amounts))],
            "amount": pa.array([Decimal(a) for a in amounts], pa.decimal128(18, 6)),
        }
    )


def _keys(client, prefix: str) -> set[str]:
    listed = client.list_objects_v2(Bucket=BUCKET, Prefix=prefix)
    # pyarrow leaves empty "dir/" marker objects behind a delete; they are not files
    keys = {o["Key"][len(prefix) :] for o in listed.get("Contents", [])}
    return {k for k in keys if k and not k.endswith("/")}


def test_settings_put_lake_and_exports_under_the_uri(tmp_path, monkeypatch):
    monkeypatch.setenv("U2C_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("U2C_LAKE_URI", raising=False)
    local = Settings.from_env()
    assert local.lake_uri == str(tmp_path / "lake")  # the default: exactly as before
    assert local.exports_uri == str(tmp_path / "exports")
    assert not {"U2C_LAKE_URI", "U2C_LAKE_ROOT", "DBT_TARGET"} & local.environ().keys()
    monkeypatch.setenv("U2C_LAKE_URI", "s3://bucket/prod/")
    remote = Settings.from_env()
    assert (remote.lake_uri, remote.exports_uri) == (
        "s3://bucket/prod/lake",
        "s3://bucket/prod/exports",
    )
    assert remote.warehouse == tmp_path / "warehouse.duckdb"  # the state database stays local
    assert remote.environ()["U2C_LAKE_URI"] == "s3://bucket/prod/"
    assert remote.environ()["U2C_LAKE_ROOT"] == "s3://bucket/prod/lake"
    assert remote.environ()["DBT_TARGET"] == "s3"
    # the Dagster resources the export assets write through carry the same locations
    lake = data_dir_resources(remote)["lake"]
    assert (lake.exports_uri, lake.export_ledger_uri) == (
        "s3://bucket/prod/exports",
        "s3://bucket/prod/lake/_ledger/export_ledger",
    )
    assert data_dir_resources(local)["lake"].exports_uri == str(tmp_path / "exports")


def test_bad_locations_get_a_clear_error():
    with pytest.raises(lake_fs.LakeLocationError, match="no bucket"):
        lake_fs.Lake.at("s3:///prefix", {})
    with pytest.raises(lake_fs.LakeLocationError, match="local path or s3"):
        lake_fs.Lake.at("gs://bucket/lake", {})
    with pytest.raises(lake_fs.LakeLocationError, match="AWS_ENDPOINT_URL"):
        lake_fs.Lake.at("s3://bucket/lake", {"AWS_ENDPOINT_URL": "ftp://x:1"})


def test_landed_parquet_reads_the_same_through_duckdb_on_s3_and_local(tmp_path, s3_environ):
    _, client = s3_environ
    totals = {}
    for lake in _lakes(tmp_path, s3_environ):
        for day, amounts in {"2025-01-01": ["1.000001", "2.5"], "2025-01-02": ["0.1"] * 3}.items():
            lake.write_parquet(
                lake.uri("raw/usage/events", f"day={day}", "part-0.parquet"), _events(day, amounts)
            )
        files = lake.files(lake.uri("raw/usage/events"), "*.parquet")
        assert len(files) == 2
        con = duckdb.connect()
        if lake.endpoint is not None:
            for statement in lake_fs.duckdb_s3_statements(lake.endpoint):
                con.execute(statement)
        # the glob dbt's sources use, on the lake's own URI
        totals[lake.endpoint is None] = con.execute(
            "select count(*), sum(amount) from read_parquet(?, union_by_name = true)",
            [lake.uri("raw/usage/events/**/*.parquet")],
        ).fetchone()
    assert totals[True] == totals[False] == (5, Decimal("3.800001"))
    assert _keys(client, f"{tmp_path.name}/lake/raw/usage/events/") == {
        "day=2025-01-01/part-0.parquet",
        "day=2025-01-02/part-0.parquet",
    }


def test_publish_is_manifest_last_and_exactly_once_on_s3(tmp_path, s3_environ):
    _, client = s3_environ
    _, lake = _lakes(tmp_path, s3_environ)
    kind = lake.uri("exports/journals")
    files = {"journal.csv": b"external_id,amount\nJ1,10.00\n", "lines.csv": b"J1,1,10.00\n"}
    manifest = json.dumps({"files": sorted(files), "control_total": "10.00"}).encode()

    # a crash after the data files, before the manifest: written, but invisible
    for name, payload in files.items():
        lake.write_bytes(lake.uri("exports/journals/b1", name), b"partial " + payload)
    lake.write_bytes(lake.uri("exports/journals/b1", "stale-extra.csv"), b"left by the crash")
    assert lake.visible_batches(kind) == []
    assert lake.visible_files(kind) == []

    # the next run replaces the invisible batch whole and makes it visible
    assert publish_files(lake, kind, "b1", files, manifest) is True
    prefix = f"{tmp_path.name}/lake/exports/journals/b1/"
    assert _keys(client, prefix) == {"journal.csv", "lines.csv", "manifest.json"}
    assert lake.visible_batches(kind) == [lake.uri("exports/journals/b1")]
    assert {f.rsplit("/", 1)[1]: lake.read_bytes(f) for f in lake.visible_files(kind)} == files
    assert (
        json.loads(lake.read_bytes(lake.uri("exports/journals/b1/manifest.json")))["control_total"]
        == "10.00"
    )

    # a second run publishes nothing new: the manifest says the batch is there
    before = client.head_object(Bucket=BUCKET, Key=prefix + "manifest.json")["LastModified"]
    assert publish_files(lake, kind, "b1", {"journal.csv": b"other"}, b"{}") is False
    assert lake.read_bytes(lake.uri("exports/journals/b1/journal.csv")) == files["journal.csv"]
    assert client.head_object(Bucket=BUCKET, Key=prefix + "manifest.json")["LastModified"] == before


def test_publish_behaves_the_same_on_local_disk(tmp_path, s3_environ):
    local, _ = _lakes(tmp_path, s3_environ)
    kind = local.uri("exports/journals")
    local.write_bytes(local.uri("exports/journals/b1/journal.csv"), b"partial")
    # a staged temp directory with its manifest is no batch either
    local.write_bytes(local.uri("exports/journals/.b2.1-ab.tmp/manifest.json"), b"{}")
    assert local.visible_batches(kind) == []
    assert publish_files(local, kind, "b1", {"journal.csv": b"whole"}, b"{}") is True
    assert publish_files(local, kind, "b1", {"journal.csv": b"other"}, b"{}") is False
    assert [local.read_bytes(f) for f in local.visible_files(kind)] == [b"whole"]
    assert (tmp_path / "lake/exports/journals/b1/journal.csv").stat().st_mode & 0o777 == 0o644


# a tiny world across a month end (invoices, so journals for the ERP export), as the crash trials'
TINY = {"customers": 3, "days": 8, "events_per_day": 40, "start": date(2026, 8, 27)}


def _dbt_build(data_dir, environ) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBT_", "U2C_", "AWS_"))}
    built = run_dbt(
        data_dir, "build", "--exclude-resource-type", "unit_test", "--exclude-resource-type",
        "test", environ=env | environ, timeout=600,
    )  # fmt: skip
    assert built.returncode == 0, built.stdout[-5000:] + built.stderr[-3000:]


@pytest.fixture(scope="module")
def tiny_world(tmp_path_factory) -> Path:
    """A tiny world generated, landed and built by dbt on local disk, once for the module."""
    out = tmp_path_factory.mktemp("tiny_world")
    generate(GenerateOptions(out=out, **TINY))
    assert land_inbox(out / "inbox", out / "lake", CONTRACTS)
    _dbt_build(out, {})
    return out


def test_dbt_builds_the_same_marts_from_a_lake_on_s3(tiny_world, tmp_path, s3_environ):
    """The same landed world built by dbt from local files and from s3:// (its `s3` target:
    httpfs + secret, sources under U2C_LAKE_ROOT) gives identical marts."""
    environ, client = s3_environ
    local_dir, s3_dir = tiny_world, tmp_path / "s3"
    local = lake_fs.Lake.at(str(local_dir / "lake"), environ)
    uri = f"s3://{BUCKET}/{tmp_path.name}"
    remote = lake_fs.Lake.at(f"{uri}/lake", environ)
    for file in local.files(local.root):
        remote.write_bytes(remote.uri(file[len(local.root) + 1 :]), local.read_bytes(file))
    assert _keys(client, f"{tmp_path.name}/lake/") == {
        f[len(local.root) + 1 :] for f in local.files(local.root)
    }

    s3_dir.mkdir()
    settings = Settings(data_dir=s3_dir, lake_location=uri)
    with pytest.MonkeyPatch.context() as patch:
        for key, value in environ.items():
            patch.setenv(key, value)
        dbt_env = {**environ, **lake_fs.dbt_environ(settings.lake_uri, environ)}
    assert dbt_env["DBT_TARGET"] == "s3" and dbt_env["U2C_LAKE_ROOT"] == f"{uri}/lake"
    _dbt_build(s3_dir, dbt_env)
    assert not (s3_dir / "lake").exists()  # nothing read from (or landed into) local files

    diffs = diff_marts(local_dir / "warehouse.duckdb", s3_dir / "warehouse.duckdb")
    assert diffs and all(d.identical for d in diffs), [d for d in diffs if not d.identical]
    assert sum(d.rows for d in diffs) > 0

    # the gates read dbt's views over the bucket from connections of their own (reach_lake)
    local_gate = run_journal_gate(local_dir / "warehouse.duckdb")
    with pytest.MonkeyPatch.context() as patch:
        for key, value in dbt_env.items():
            patch.setenv(key, value)
        remote_gate = run_journal_gate(s3_dir / "warehouse.duckdb")
        assert usage_landed(settings.lake_uri)
        assert not usage_landed(f"s3://{BUCKET}/{tmp_path.name}/no-lake")
    assert local_gate.success and remote_gate.success
    assert remote_gate.describe() == local_gate.describe()


# --- the exports on s3: the same files as on local disk, each batch published once, whole ------


def _warehouse(world: Path, tmp_path: Path, name: str) -> Path:
    """A copy of the built warehouse (the export writes its `exports` tables into it); the
    same file name, which the views' catalog is."""
    target = tmp_path / name / "warehouse.duckdb"
    target.parent.mkdir(exist_ok=True)
    shutil.copyfile(world / "warehouse.duckdb", target)
    return target


def _settings(tmp_path: Path) -> tuple[Settings, Settings]:
    """The same deployment twice: everything under a local data dir, and with U2C_LAKE_URI."""
    return (
        Settings(data_dir=tmp_path / "local"),
        Settings(data_dir=tmp_path / "remote", lake_location=f"s3://{BUCKET}/{tmp_path.name}"),
    )


def _local_tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _s3_tree(client, prefix: str) -> dict[str, bytes]:
    return {
        key: client.get_object(Bucket=BUCKET, Key=prefix + key)["Body"].read()
        for key in _keys(client, prefix)
    }


def _export(warehouse: Path, settings: Settings):
    return export_journals(
        warehouse, settings.exports_uri, ledger_mirror=settings.export_ledger_uri
    )


def test_exports_on_s3_are_byte_identical_to_local_ones_and_published_once(
    tiny_world, tmp_path, s3_environ, monkeypatch
):
    """ERP journals, the usage snapshot, the lake's ledger copy, the close report and its page:
    on s3 the same bytes as on local disk (manifests and their control totals included); a
    second export publishes nothing."""
    environ, client = s3_environ
    for key, value in environ.items():
        monkeypatch.setenv(key, value)
    local, remote = _settings(tmp_path)
    warehouses = {}
    for settings in (local, remote):
        warehouse = warehouses[settings] = _warehouse(tiny_world, tmp_path, settings.data_dir.name)
        result = _export(warehouse, settings)
        assert result.batch is not None and result.batch.written and result.lines > 0
        assert export_usage_daily(warehouse, settings.exports_uri, {"gx": "passed"}).written
        for period in json.loads(  # the periods the batch sent
            lake_fs.Lake.at(settings.exports_uri).read_bytes(
                lake_fs.join(str(result.batch.directory), "manifest.json")
            )
        )["periods"]:
            write_close_report(warehouse, settings.exports_uri, period)
            write_close_page(warehouse, settings.exports_uri, period)
    assert isinstance(result.batch.directory, str) and result.batch.directory.startswith("s3://")

    exported = _s3_tree(client, f"{tmp_path.name}/exports/")
    assert exported == _local_tree(local.exports)
    manifest = json.loads(exported[f"journals/{result.batch.export_id}/manifest.json"])
    assert all(f["totals"] for f in manifest["files"] if f["file"].endswith(".csv"))
    assert {k.split("/")[0] for k in exported} == {"journals", "usage_daily", "close"}
    # the ledger's copy dbt reads (rec_exports_erp) under the lake's root in the bucket
    mirrored = _s3_tree(client, f"{tmp_path.name}/lake/_ledger/export_ledger/")
    assert mirrored == _local_tree(local.export_ledger)
    assert f"{result.batch.export_id}.parquet" in mirrored

    # the readers see the same through the layer: the ledger, rederive's manifests, the view
    assert read_ledger(remote.exports_uri) == read_ledger(local.exports_uri) != []
    assert published_manifests(remote.exports_uri) == published_manifests(local.exports_uri)
    sections, intact = show_view(remote.exports_uri, result.batch.export_id)
    assert intact and all(f["on_disk"] == "ok" for f in sections[1].rows)
    views = [list_view(s.exports_uri)[0].rows for s in (local, remote)]
    assert [{k: v for k, v in r.items() if k != "directory"} for r in views[0]] == [
        {k: v for k, v in r.items() if k != "directory"} for r in views[1]
    ]

    # exactly once: nothing new, nothing written (no object added or rewritten)
    before = {
        o["Key"]: o["ETag"] + str(o["LastModified"])
        for o in client.list_objects_v2(Bucket=BUCKET, Prefix=tmp_path.name)["Contents"]
    }
    assert _export(warehouses[remote], remote).batch is None
    assert not export_usage_daily(warehouses[remote], remote.exports_uri, {"gx": "passed"}).written
    after = {
        o["Key"]: o["ETag"] + str(o["LastModified"])
        for o in client.list_objects_v2(Bucket=BUCKET, Prefix=tmp_path.name)["Contents"]
    }
    assert after == before


KILLED_EXPORT = """
import sys
from exports.erp_journals import export_journals
export_journals(sys.argv[1], sys.argv[2], ledger_mirror=sys.argv[3])
"""


def test_an_export_killed_before_its_manifest_is_invisible_then_published_whole_once(
    tiny_world, tmp_path, s3_environ, monkeypatch
):
    environ, client = s3_environ
    for key, value in environ.items():
        monkeypatch.setenv(key, value)
    local, remote = _settings(tmp_path)
    warehouse = _warehouse(tiny_world, tmp_path, "remote")
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_EXPORT, str(warehouse), remote.exports_uri,
         remote.export_ledger_uri],
        env={**os.environ, **environ, "U2C_FAULT_POINT": "export.staged:1"},
        cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True, timeout=300,
        start_new_session=True, check=False,
    )  # fmt: skip
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
    prefix = f"{tmp_path.name}/exports/journals/"
    left = _keys(client, prefix)
    # every data file (the batch's ledger too) is in the bucket, the manifest is not
    assert any(k.endswith("/ledger.parquet") for k in left)
    assert not any(k.endswith("/manifest.json") for k in left)

    # no reader sees the batch: not sent (the ledger), not re-derivable, not listed, not copied
    assert read_ledger(remote.exports_uri) == []
    assert published_manifests(remote.exports_uri) == []
    assert list_view(remote.exports_uri)[0].rows == []
    assert mirror_ledgers(remote.exports_uri, remote.export_ledger_uri) == []

    # the next export replaces what the kill left whole (a spoiled file, a stray one) and
    # publishes the batch once: the same bytes as an uninterrupted local export
    batch_prefix = prefix + sorted(left)[0].split("/")[0] + "/"
    client.put_object(Bucket=BUCKET, Key=batch_prefix + "ledger.parquet", Body=b"spoiled")
    client.put_object(Bucket=BUCKET, Key=batch_prefix + "stray.csv", Body=b"left behind")
    result = _export(warehouse, remote)
    assert result.batch is not None and result.batch.written
    uninterrupted = _export(_warehouse(tiny_world, tmp_path, "local"), local)
    assert uninterrupted.batch.export_id == result.batch.export_id
    assert _s3_tree(client, prefix) == _local_tree(local.exports / "journals")
    sent = read_ledger(remote.exports_uri)
    assert len(sent) == result.lines
    assert len({(r["external_id"], r["line_number"]) for r in sent}) == len(sent)
    assert _export(warehouse, remote).batch is None


# --- landing onto s3:// through the layer (sources/landing_site.py) ---------------------------


def _landed(lake: lake_fs.Lake) -> dict:
    """The lake's ledger (per batch) and its raw / quarantine / ledger files, row for row, but
    for the landing times (and the load_date partition they name)."""
    ledger, files = {}, {}
    for uri in lake.files(lake.root, "*.parquet"):
        relative = uri[len(lake.root) + 1 :]
        if relative.rsplit("/", 1)[1].startswith(("_", ".")):
            continue
        table = lake.read_parquet(uri)
        table = table.drop_columns([c for c in ("landed_at",) if c in table.column_names])
        parts = relative.split("/")
        key = "/".join(p for p in parts if not p.startswith("load_date="))
        files[key] = table.to_pylist()
        if relative.startswith("_ledger/landing_batches/"):
            [row] = table.to_pylist()
            ledger[row["batch_id"]] = (
                row["rows_read"],
                row["rows_landed"],
                row["rows_quarantined"],
            )
    return {"ledger": ledger, "files": files}


def _etag(client, uri: str) -> str | None:
    listed = client.list_objects_v2(Bucket=BUCKET, Prefix=uri[len(f"s3://{BUCKET}/") :])
    return next((o["ETag"] for o in listed.get("Contents", [])), None)


def _s3_lake(environ, tmp_path, name="lake") -> tuple[str, lake_fs.Lake]:
    uri = f"s3://{BUCKET}/{tmp_path.name}/{name}"
    return uri, lake_fs.Lake.at(uri, environ)


def test_landing_onto_s3_lands_what_local_landing_lands_exactly_once(
    tiny_world, tmp_path, s3_environ, monkeypatch
):
    environ, client = s3_environ
    for key, value in environ.items():
        monkeypatch.setenv(key, value)
    local = _landed(lake_fs.Lake.at(str(tiny_world / "lake")))
    reasons = {
        r["reason_code"] for k, rows in local["files"].items() for r in rows if "quarantine/" in k
    }
    # the world has rejects and conflicting re-deliveries: the conflict check read the bucket
    assert "conflicting_duplicate" in reasons and len(local["ledger"]) > 10

    uri, lake = _s3_lake(environ, tmp_path)
    staging = tmp_path / "staging"
    results = land_inbox(tiny_world / "inbox", uri, CONTRACTS, staging=staging)
    assert results and not any(r.skipped for r in results)
    assert _landed(lake) == local  # the same ledger, the same rows, file for file
    assert not list(staging.rglob("*.parquet*"))  # staged files were uploaded, none left
    assert not [p for p in staging.rglob("*") if p.name.endswith(".tmp")]

    prefix = f"{tmp_path.name}/lake/"
    before = {
        o["Key"]: o["ETag"]
        for o in client.list_objects_v2(Bucket=BUCKET, Prefix=prefix)["Contents"]
    }
    again = land_inbox(tiny_world / "inbox", uri, CONTRACTS, staging=staging)
    assert again and all(r.skipped for r in again)  # landing again lands nothing
    after = {
        o["Key"]: o["ETag"]
        for o in client.list_objects_v2(Bucket=BUCKET, Prefix=prefix)["Contents"]
    }
    changed = {k for k in after if before.get(k) != after[k]}
    assert changed <= {prefix + "_ledger/inbox_digests.json"}  # nothing else rewritten
    site = LandingSite.of(uri, staging)
    assert check_lake(site, CONTRACTS) == []

    # a damaged object is found, named by its URI, and landed again exactly as it was
    damaged = next(f for f in lake.files(lake.uri("raw/usage/events"), "*/*.parquet"))
    lake.write_bytes(damaged, lake.read_bytes(damaged)[:-100])
    [problem] = check_lake(site, CONTRACTS)
    assert problem.path == damaged and "unreadable" in problem.problem
    reland(problem.batch_id, tiny_world / "inbox", site, CONTRACTS)
    assert check_lake(site, CONTRACTS) == []
    assert _landed(lake) == local


def test_a_landing_killed_after_its_upload_leaves_no_batch_and_lands_once_after(
    tiny_world, tmp_path, s3_environ
):
    """SIGKILL between a batch's data upload and its ledger row (fault point
    `landing.data_published`, the second batch): the bucket holds objects no ledger row
    accounts for, which no reader counts; the next landing removes them and lands every file
    exactly once."""
    environ, client = s3_environ
    uri = f"s3://{BUCKET}/{tmp_path.name}"
    data_dir = tmp_path / "data"
    shutil.copytree(tiny_world / "inbox", data_dir / "inbox", copy_function=shutil.copy2)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("U2C_", "AWS_", "DAGSTER_"))}
    env |= environ | {"U2C_DATA_DIR": str(data_dir), "U2C_LAKE_URI": uri}
    killed = subprocess.run(
        [str(Path(sys.executable).parent / "u2c"), "land"],
        env=env | {"U2C_FAULT_POINT": "landing.data_published:2"},
        capture_output=True, text=True, timeout=300, start_new_session=True, check=False,
    )  # fmt: skip
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
    lake = lake_fs.Lake.at(f"{uri}/lake", environ)
    site = LandingSite(data_dir / "staging" / "lake", lake)
    committed = committed_batches(site)
    assert len(committed) == 1  # the first batch only: the second died before its ledger row
    orphans = [
        f for f in site.parquet_files("raw") + site.parquet_files("quarantine")
        if f.rsplit("/", 1)[1][: -len(".parquet")] not in committed
    ]  # fmt: skip
    assert orphans  # uploaded, but invisible: no ledger row, so no batch
    orphan_etags = {f: _etag(client, f) for f in orphans}
    assert not (data_dir / "lake" / "raw").exists()  # nothing landed into local files

    rerun = subprocess.run(
        [str(Path(sys.executable).parent / "u2c"), "land"],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    # what the killed run uploaded was removed by recovery, then landed again (a new landing
    # time: other bytes), never kept beside or instead of the new batch
    assert all(_etag(client, f) != etag for f, etag in orphan_etags.items())
    assert _landed(lake) == _landed(lake_fs.Lake.at(str(tiny_world / "lake")))
    assert check_lake(site, CONTRACTS) == []
    assert not [p for p in site.local.rglob("*") if p.name.endswith(".tmp")]


def test_data_span_and_the_up_to_date_check_agree_on_s3_and_local(
    tiny_world, tmp_path, s3_environ, monkeypatch
):
    environ, _ = s3_environ
    for key, value in environ.items():
        monkeypatch.setenv(key, value)
    uri = f"s3://{BUCKET}/{tmp_path.name}"
    remote = Settings(data_dir=tmp_path / "s3", lake_location=uri)
    local = Settings(data_dir=tmp_path / "local")
    for settings in (remote, local):
        land_inbox(
            tiny_world / "inbox", settings.lake_uri, CONTRACTS, staging=settings.lake_staging
        )
    span = data_span(local.lake)
    now = datetime(2026, 12, 4, 12)
    # `u2c status` reads the ledger too (the landing times differ: two landings)
    fresh = [[{**r, "last_landed_at": None} for r in freshness(s, now)] for s in (remote, local)]
    assert fresh[0] == fresh[1] != []
    assert span is not None and data_span(remote.lake_uri) == span == data_span(tiny_world / "lake")

    for settings in (remote, local):
        environ_now = {
            "U2C_DATA_DIR": "x",
            **({"U2C_LAKE_URI": uri} if settings.lake_location else {}),
        }
        started = up_to_date.inputs(settings, environ_now, "2026-12-04", True)
        up_to_date.write_stamp(settings, started, ["run-1"])
        assert up_to_date.is_up_to_date(settings, started) is not None  # nothing new
        # another writer lands into the lake: the next run has something to do
        extra = "raw/usage/events/load_date=2026-12-04/usage-events-extra.parquet"
        lake_fs.Lake.at(settings.lake_uri).write_parquet(
            lake_fs.join(settings.lake_uri, extra), _events("2026-12-04", ["1"])
        )
        assert up_to_date.is_up_to_date(settings, started) is None


def test_u2c_run_on_s3_lands_builds_and_exports_exactly_once(
    tiny_world, tmp_path, s3_environ, monkeypatch
):
    """`u2c run` with U2C_LAKE_URI=s3://: landing into the bucket, the usage days and the billing
    periods built from it with their gates, the ERP journals exported into the bucket and
    confirmed by dbt from the ledger's copy there; nothing of the lake or the exports under the
    data dir. A second run finds nothing new and writes no object; landing again lands nothing."""
    from tests.conftest import run_u2c

    environ, client = s3_environ
    uri = f"s3://{BUCKET}/{tmp_path.name}"
    data_dir = tmp_path / "data"
    shutil.copytree(tiny_world / "inbox", data_dir / "inbox", copy_function=shutil.copy2)
    for key in [k for k in os.environ if k.startswith(("U2C_", "AWS_", "DBT_"))]:
        monkeypatch.delenv(key)
    for key, value in (environ | {"U2C_LAKE_URI": uri}).items():
        monkeypatch.setenv(key, value)

    def u2c(*args: str) -> str:
        done = run_u2c(data_dir, *args)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        return done.stdout

    u2c("run")
    settings = Settings(data_dir=data_dir, lake_location=uri)
    # the lake and the exports are the bucket's: nothing landed or exported under the data dir
    assert not list((data_dir / "lake").glob("raw/**/*.parquet"))
    assert not list((data_dir / "exports").glob("journals/**/*"))

    site = LandingSite.of(settings.lake_uri, settings.lake_staging)
    ledger = committed_batches(site)
    sent = read_ledger(settings.exports_uri)
    [batch] = published_manifests(settings.exports_uri)
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        batches = con.execute("select count(*) from marts.ops_landing_batches").fetchone()[0]
        usage_rows = con.execute("select count(*) from marts.usage_daily").fetchone()[0]
        journal_lines = con.execute("select count(*) from marts.journal_lines").fetchone()[0]
        confirmed = con.execute("select count(*) from marts.rec_exports_erp").fetchone()[0]
    assert batches == len(ledger) > 10 and usage_rows > 0
    # every journal line was sent once, and dbt read what was sent from the bucket's ledger copy
    assert len(sent) == journal_lines == confirmed > 0
    assert len({(r["external_id"], r["line_number"]) for r in sent}) == len(sent)
    assert batch["kind"] == "journals"

    objects = {o["Key"]: o["ETag"] for o in _objects(client, f"{tmp_path.name}/")}
    again = u2c("run")
    assert again.startswith("nothing new since the last complete run")  # no run, no object
    assert {o["Key"]: o["ETag"] for o in _objects(client, f"{tmp_path.name}/")} == objects
    u2c("land")
    assert committed_batches(site) == ledger  # landing again lands nothing
    assert read_ledger(settings.exports_uri) == sent


def _objects(client, prefix: str) -> list[dict]:
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)
    return [o for page in pages for o in page.get("Contents", [])]
