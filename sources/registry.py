"""Every table the pipeline lands, by system."""

from __future__ import annotations

from sources import billing, crm, erp
from sources.landing import TableContract
from sources.readers import read_i_json_lines
from sources.usage import events, fast

USAGE_EVENTS = TableContract(
    system=events.SYSTEM,
    table=events.TABLE,
    schema=events.SCHEMA,
    validate=events.validate,
    reader=read_i_json_lines,
    suffixes=events.FILE_SUFFIXES,
    fast_reader=fast.read_fast,
    conflict_key=("source", "id"),
    conflict_hash="payload_fingerprint",
    conflict_fields=events.FINGERPRINT_FIELDS,
    # the same window the warehouse deduplicates in (dbt var usage_dedup_window_days)
    conflict_time="time",
    conflict_window_days=35,
    unique_columns=("id", "time", "payload_fingerprint"),
)

CONTRACTS: list[TableContract] = [USAGE_EVENTS, *billing.CONTRACTS, *crm.CONTRACTS, *erp.CONTRACTS]
