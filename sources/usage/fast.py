"""The vectorized landing path for usage events: a whole chunk of lines typed by DuckDB at once.

It only ever *accepts*: each check here is at least as strict as `events.validate`, and the
typed values and the fingerprint are the same. A file with any line outside that accepted
subset (malformed JSON, a missing field, an exponent in a quantity, a negative number, ...)
raises `FastPathDeclined`, and landing falls back to the row-by-row path, which names the reason.
So there is one set of rules for rejections, and the common clean file lands at columnar speed.
"""

from __future__ import annotations

import gzip
import itertools
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from sources.contract import FastPathDeclined
from sources.usage.events import FINGERPRINT_FIELDS, SCHEMA, SEPARATOR

CHUNK_LINES = 250_000


# Fields are extracted in one JSON parse per line, by path, then checked by JSON type.
PATHS = [
    "$.specversion",
    "$.id",
    "$.source",
    "$.type",
    "$.subject",
    "$.time",
    "$.datacontenttype",
    "$.data",
    "$.data.metric",
    "$.data.quantity",
    "$.data.subscription",
    "$.data.customer",
    "$.data.plan_tier",
    "$.data.region",
    "$.data.contract_version",
]
_RFC3339 = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$"
# DuckDB reads JSON numbers as doubles: accept only decimals a double renders back exactly
# (at most 15 significant digits) with at most 9 places, and never an exponent or a sign.
_QUANTITY = r"^\d{1,15}(\.\d{1,9})?$"

_TYPED = f"""
with extracted as materialized (
    select line_number, json_type(line) as line_type, json_extract(line, {PATHS!r}) as f
    from lines
),
typed as (
    select
        line_number,
        line_type,
        f[1] ->> '$' as specversion, json_type(f[1]) as specversion_type,
        f[2] ->> '$' as id, json_type(f[2]) as id_type,
        f[3] ->> '$' as source, json_type(f[3]) as source_type,
        f[4] ->> '$' as type, json_type(f[4]) as type_type,
        f[5] ->> '$' as subject, json_type(f[5]) as subject_type,
        f[6] ->> '$' as time_text, json_type(f[6]) as time_type,
        f[7] ->> '$' as datacontenttype, json_type(f[7]) as datacontenttype_type,
        f[8]::varchar as data, json_type(f[8]) as data_type,
        f[9] ->> '$' as data_metric, json_type(f[9]) as metric_type,
        f[10]::varchar as quantity_text, json_type(f[10]) as quantity_type,
        f[11] ->> '$' as data_subscription, json_type(f[11]) as subscription_type,
        f[12] ->> '$' as data_customer, json_type(f[12]) as customer_type,
        f[13] ->> '$' as data_plan_tier, json_type(f[13]) as plan_tier_type,
        f[14] ->> '$' as data_region, json_type(f[14]) as region_type,
        f[15]::varchar as version_text, json_type(f[15]) as version_type
    from extracted
),
checked as (
    select
        *,
        timezone('UTC', try_cast(time_text as timestamptz)) as time,
        -- parsing text into decimal(38, 9) is slow; whole numbers go through ubigint
        case
            when quantity_type = 'DOUBLE' then try_cast(quantity_text as decimal(38, 9))
            else cast(try_cast(quantity_text as ubigint) as decimal(38, 9))
        end as data_quantity,
        try_cast(version_text as bigint) as data_contract_version,
        line_type = 'OBJECT'
        and specversion_type = 'VARCHAR' and specversion = '1.0'
        and id_type = 'VARCHAR' and id <> ''
        and source_type = 'VARCHAR' and source <> ''
        and type_type = 'VARCHAR' and type <> ''
        and coalesce(subject_type, 'NULL') in ('NULL', 'VARCHAR')
        and coalesce(datacontenttype_type, 'NULL') in ('NULL', 'VARCHAR')
        and time_type = 'VARCHAR' and regexp_full_match(time_text, '{_RFC3339}')
        and data_type = 'OBJECT'
        and metric_type = 'VARCHAR' and data_metric <> ''
        and (
            quantity_type = 'UBIGINT'
            or (quantity_type = 'DOUBLE' and regexp_full_match(quantity_text, '{_QUANTITY}'))
        )
        and coalesce(subscription_type, 'NULL') in ('NULL', 'VARCHAR')
        and coalesce(customer_type, 'NULL') in ('NULL', 'VARCHAR')
        and (coalesce(data_subscription, '') <> '' or coalesce(data_customer, '') <> '')
        and plan_tier_type = 'VARCHAR' and data_plan_tier <> ''
        and region_type = 'VARCHAR' and data_region <> ''
        and version_type in ('UBIGINT', 'BIGINT')
        and regexp_full_match(version_text, '^\\d{{1,10}}$') as accepted
    from typed
)
select
    line_number,
    coalesce(
        accepted
        and time >= timestamp '2000-01-01' and time < timestamp '2100-01-01'
        and data_contract_version between 1 and 2147483647,
        false  -- a missing field makes the checks null: not accepted
    ) as accepted,
    specversion, id, source, type,
    case when subject_type = 'NULL' then null else subject end as subject,
    time,
    case when datacontenttype_type = 'NULL' then null else datacontenttype end as datacontenttype,
    data_metric, data_quantity,
    case when subscription_type = 'NULL' then null else data_subscription end as data_subscription,
    case when customer_type = 'NULL' then null else data_customer end as data_customer,
    data_plan_tier, data_region, cast(data_contract_version as integer) as data_contract_version,
    data
from checked
order by line_number
"""

_FINGERPRINT = "sha256(concat_ws(chr(31), {}))".format(
    ", ".join(
        "strftime(time, '%Y-%m-%dT%H:%M:%S.%f')"
        if name == "time"
        else f"coalesce(cast({name} as varchar), '')"
        for name in FINGERPRINT_FIELDS
    )
)
assert chr(31) == SEPARATOR


def read_fast(path: Path) -> Iterator[pa.Table]:
    """Yield the rows as typed tables (SCHEMA plus line_number), or raise FastPathDeclined."""
    opener = gzip.open if path.name.endswith(".gz") else open
    with duckdb.connect() as con, opener(path, "rb") as fh:
        first_line = 1
        while True:
            try:
                raw = list(itertools.islice(fh, CHUNK_LINES))
            except (EOFError, OSError) as exc:
                raise FastPathDeclined(f"unreadable: {exc}") from exc
            if not raw:
                return
            try:
                lines = pc.utf8_rtrim(pa.array(raw, pa.binary()).cast(pa.string()), "\r\n")
            except pa.ArrowInvalid as exc:  # invalid UTF-8
                raise FastPathDeclined(str(exc)) from exc
            if pc.any(pc.equal(pc.utf8_length(pc.utf8_trim_whitespace(lines)), 0)).as_py():
                raise FastPathDeclined("blank line")
            numbers = pa.array(range(first_line, first_line + len(raw)), pa.int64())
            first_line += len(raw)
            con.register("lines", pa.table({"line_number": numbers, "line": lines}))
            try:
                typed = con.execute(
                    f"select *, {_FINGERPRINT} as payload_sha256 from ({_TYPED})"
                ).fetch_arrow_table()
            except duckdb.Error as exc:  # malformed JSON somewhere in the chunk
                raise FastPathDeclined(str(exc)) from exc
            finally:
                con.unregister("lines")
            if not pc.all(typed["accepted"], skip_nulls=False).as_py():
                raise FastPathDeclined("a line needs the row-by-row checks")
            yield typed.select([*SCHEMA.names, "line_number"]).cast(
                pa.schema([*SCHEMA, pa.field("line_number", pa.int64(), nullable=False)])
            )
