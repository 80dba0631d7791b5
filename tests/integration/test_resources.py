"""The lake and the warehouse are Dagster resources: what the code location binds is where
assets and sensors read and write, whatever U2C_DATA_DIR says."""

from __future__ import annotations

import pyarrow.parquet as pq
from dagster import build_sensor_context, materialize

from demo_world.generate import GenerateOptions, generate


def test_the_code_location_binds_both_resources_to_the_data_dir(defs_data_dir):
    from orchestration.definitions import defs

    resources = defs.resources
    assert resources["lake"].data_dir == str(defs_data_dir)
    assert resources["warehouse"].data_dir == str(defs_data_dir)
    assert resources["warehouse"].path == defs_data_dir / "warehouse.duckdb"


def test_landing_writes_where_the_lake_resource_points(defs_data_dir, tmp_path):
    from orchestration.defs.landing import land_sources
    from orchestration.resources import Lake

    elsewhere = tmp_path / "elsewhere"
    generate(GenerateOptions(out=elsewhere, days=2, customers=2, events_per_day=20))
    result = materialize([land_sources], resources={"lake": Lake(data_dir=str(elsewhere))})
    assert result.success
    landed = sum(
        pq.ParquetFile(f).metadata.num_rows
        for f in (elsewhere / "lake" / "raw" / "usage").glob("**/*.parquet")
    )
    assert landed > 0
    # the environment's data dir (the code location's) got nothing
    assert not list((defs_data_dir / "lake" / "raw").glob("**/*.parquet"))


def test_the_inbox_sensor_watches_the_lake_resources_inbox(defs_data_dir, tmp_path):
    from orchestration.defs.sensors import inbox_sensor
    from orchestration.resources import Lake

    elsewhere = tmp_path / "elsewhere"
    generate(GenerateOptions(out=elsewhere, days=1, customers=1, events_per_day=5))
    context = build_sensor_context(resources={"lake": Lake(data_dir=str(elsewhere))})
    result = inbox_sensor(context)
    (request,) = result.run_requests
    assert request.tags["u2c/trigger"] == "inbox"
    empty = build_sensor_context(resources={"lake": Lake(data_dir=str(tmp_path / "none"))})
    assert not inbox_sensor(empty).run_requests
