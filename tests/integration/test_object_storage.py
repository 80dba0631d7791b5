"""The lake and the exports on s3://, against moto's S3 server started here on 127.0.0.1:
the filesystem layer (sources/lake_fs.py) writes, lists and publishes the same way on S3 as on
local disk, DuckDB reads the lake through httpfs offline, and the manifest-last publish holds
exactly once on a store without rename."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import boto3
import duckdb
import pyarrow as pa
import pytest
from moto.server import ThreadedMotoServer

from demo_world.generate import GenerateOptions, generate
from exports.mart_diff import diff_marts
from orchestration.settings import Settings
from sources import lake_fs
from sources.landing import land_inbox
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
    assert lake.publish_batch(kind, "b1", files, manifest) is True
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
    assert lake.publish_batch(kind, "b1", {"journal.csv": b"other"}, b"{}") is False
    assert lake.read_bytes(lake.uri("exports/journals/b1/journal.csv")) == files["journal.csv"]
    assert client.head_object(Bucket=BUCKET, Key=prefix + "manifest.json")["LastModified"] == before


def test_publish_behaves_the_same_on_local_disk(tmp_path, s3_environ):
    local, _ = _lakes(tmp_path, s3_environ)
    kind = local.uri("exports/journals")
    local.write_bytes(local.uri("exports/journals/b1/journal.csv"), b"partial")
    assert local.visible_batches(kind) == []
    assert local.publish_batch(kind, "b1", {"journal.csv": b"whole"}, b"{}") is True
    assert local.publish_batch(kind, "b1", {"journal.csv": b"other"}, b"{}") is False
    assert [local.read_bytes(f) for f in local.visible_files(kind)] == [b"whole"]


TINY = {"customers": 3, "days": 8, "events_per_day": 40}


def _dbt_build(data_dir, environ) -> None:
    project = Path(__file__).resolve().parents[2] / "dbt_project"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBT_", "U2C_", "AWS_"))}
    env |= {"U2C_DATA_DIR": str(data_dir), **environ}
    built = subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"), "build",
            "--exclude-resource-type", "unit_test", "--exclude-resource-type", "test",
            "--project-dir", str(project), "--profiles-dir", str(project),
            "--target-path", str(data_dir / "dbt" / "target"),
            "--log-path", str(data_dir / "dbt" / "logs"),
        ],
        cwd=project, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert built.returncode == 0, built.stdout[-5000:] + built.stderr[-3000:]


def test_dbt_builds_the_same_marts_from_a_lake_on_s3(tmp_path, s3_environ):
    """The same landed world built by dbt from local files and from s3:// (its `s3` target:
    httpfs + secret, sources under U2C_LAKE_ROOT) gives identical marts."""
    environ, client = s3_environ
    local_dir, s3_dir = tmp_path / "local", tmp_path / "s3"
    generate(GenerateOptions(out=local_dir, **TINY))
    landed = land_inbox(local_dir / "inbox", local_dir / "lake", CONTRACTS)
    assert landed
    local = lake_fs.Lake.at(str(local_dir / "lake"), environ)
    uri = f"s3://{BUCKET}/{tmp_path.name}"
    remote = lake_fs.Lake.at(f"{uri}/lake", environ)
    for file in local.files(local.root):
        remote.write_bytes(remote.uri(file[len(local.root) + 1 :]), local.read_bytes(file))
    assert _keys(client, f"{tmp_path.name}/lake/") == {
        f[len(local.root) + 1 :] for f in local.files(local.root)
    }

    _dbt_build(local_dir, {})
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
