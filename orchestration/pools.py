"""The concurrency pool of every step that reads or writes the data dir's warehouse: one at a
time (dagster.yaml default_limit 1), so a second run's step waits for the slot instead of failing
on DuckDB's file lock."""

WAREHOUSE_POOL = "u2c_warehouse"
