"""Property tests of every source contract (`sources/registry.py` CONTRACTS) on generated
malformed and edge-case records (`fuzz.py`): no crash, every bad row quarantined with a reason,
every row accounted for.

Two levels. The validator level feeds single records to the contract's `validate`: it returns a
row the lake's writer accepts, or raises a `Rejection` with a code, a class and a detail; any
other exception would crash landing. The file level lands whole generated files (duplicate ids
with a different payload, broken raw lines, BOM, CRLF) with `land_file` and checks the ledger,
the raw and quarantine files line by line.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sources.contract import ReasonClass, Rejection
from sources.landing import CHILDREN, land_file, ledger_path
from sources.readers import _parse_json_line
from sources.registry import CONTRACTS
from tests.reliability.fuzz import (
    BROKEN_CSV_LINES,
    BROKEN_JSON_LINES,
    csv_payload,
    is_json,
    json_line,
    mutated_cells,
    mutated_json,
)

IDS = [f"{c.system}/{c.table}" for c in CONTRACTS]
REASON_CODE = re.compile(r"[a-z0-9_]+")


def mutation(contract, seed):
    return mutated_json(seed) if is_json(contract) else mutated_cells(seed)


def check_rejection(rejection: Rejection) -> None:
    assert REASON_CODE.fullmatch(rejection.reason_code), rejection
    assert ReasonClass(rejection.reason_class)
    assert rejection.detail.strip()


@pytest.mark.parametrize("contract", CONTRACTS, ids=IDS)
def test_validator_returns_a_writable_row_or_a_reasoned_rejection(contract, seeds, tally):
    records = seeds[f"{contract.system}/{contract.table}"]

    @given(st.data())
    def check(data):
        record = data.draw(mutation(contract, data.draw(st.sampled_from(records))))
        tally["records fuzzed: validators"] += 1
        if is_json(contract):  # what the reader makes of the record's JSON line
            record, _ = _parse_json_line(json_line(record))
        try:
            if isinstance(record, Rejection):
                raise record
            row = contract.validate(record)
        except Rejection as rejection:
            check_rejection(rejection)
            return
        children = row.pop(CHILDREN, {})
        # what landing writes: a row the contract accepted must fit its Parquet schema
        pa.Table.from_pylist([row], schema=contract.schema)
        for name, rows in children.items():
            pa.Table.from_pylist(rows, schema=contract.children[name])

    check()


def file_name(contract) -> str:
    return f"{contract.prefix or 'events'}_fuzz{contract.suffixes[0]}"


@st.composite
def fuzzed_file(draw, contract, records: list) -> tuple[bytes, int]:
    """A file of generated records (some repeated with another payload) and broken lines;
    returns its bytes and the rows landing must read from it."""
    rows = [
        draw(mutation(contract, draw(st.sampled_from(records))))
        for _ in range(draw(st.integers(1, 10)))
    ]
    for _ in range(draw(st.integers(0, 2))):  # the same id again, with another payload
        rows.append(draw(mutation(contract, draw(st.sampled_from(rows)))))
    if is_json(contract):
        lines = [json_line(r) for r in rows]
        for _ in range(draw(st.integers(0, 3))):
            lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(BROKEN_JSON_LINES)))
        ending = draw(st.sampled_from([b"\n", b"\r\n"]))
        payload = ending.join(lines) + draw(st.sampled_from([ending, b""]))
        if draw(st.booleans()):
            payload = b"\xef\xbb\xbf" + payload
        return payload, len(lines)
    header = sorted({c for r in records for c in r})
    payload = csv_payload(header, rows)
    broken = draw(st.lists(st.sampled_from(BROKEN_CSV_LINES), max_size=3))
    payload += b"".join(line + b"\r\n" for line in broken)
    count = len(rows) + len(broken)
    if draw(st.booleans()):  # a quote never closed: the rest of the file is one broken record
        payload += b'"unterminated,' + b"x\r\n"
        count += 1
    if draw(st.booleans()):
        payload = b"\xef\xbb\xbf" + payload
    return payload, count


def _table(lake: Path, area: str, contract, batch_id: str) -> pa.Table | None:
    files = list((lake / area / contract.system / contract.table).glob(f"*/{batch_id}.parquet"))
    assert len(files) <= 1
    return pq.read_table(files[0]) if files else None


@pytest.mark.parametrize("contract", CONTRACTS, ids=IDS)
def test_landing_a_fuzzed_file_accounts_for_every_row(contract, seeds, tally):
    records = seeds[f"{contract.system}/{contract.table}"]

    # a file is ~10 records and a landing (DuckDB, Parquet): a third of the profile's examples
    @settings(max_examples=max(5, settings.default.max_examples // 3))
    @given(fuzzed_file(contract, records))
    def check(generated):
        payload, expected_rows = generated
        tally["records fuzzed: files landed"] += expected_rows
        with tempfile.TemporaryDirectory(prefix="u2c-fuzz-") as tmp:
            path = Path(tmp) / "inbox" / contract.system / file_name(contract)
            path.parent.mkdir(parents=True)
            path.write_bytes(payload)
            lake = Path(tmp) / "lake"
            result = land_file(path, contract, lake)  # never raises on bad content
            assert result.rows_read == expected_rows
            [ledger] = pq.read_table(ledger_path(lake, result.batch_id)).to_pylist()
            assert (ledger["rows_read"], ledger["rows_landed"], ledger["rows_quarantined"]) == (
                result.rows_read,
                result.rows_landed,
                result.rows_quarantined,
            )
            good = _table(lake, "raw", contract, result.batch_id)
            bad = _table(lake, "quarantine", contract, result.batch_id)
            assert (good.num_rows if good else 0) == result.rows_landed
            assert (bad.num_rows if bad else 0) == result.rows_quarantined
            landed_lines = good.column("line_number").to_pylist() if good else []
            rejected = bad.to_pylist() if bad else []
            rejected_lines = [r["line_number"] for r in rejected]
            # every line once: landed or quarantined, never both, never twice
            assert len(set(landed_lines) | set(rejected_lines)) == expected_rows
            assert not set(landed_lines) & set(rejected_lines)
            for row in rejected:
                check_rejection(
                    Rejection(row["reason_code"], row["reason_class"], row["reason_detail"])
                )
                assert row["payload"] is not None
            if is_json(contract):
                assert set(landed_lines) | set(rejected_lines) == set(range(1, expected_rows + 1))
                texts = payload.split(b"\n")
                for row in rejected:
                    raw = texts[row["line_number"] - 1].rstrip(b"\r")
                    if raw.decode("utf-8", "replace") == raw.decode("utf-8", "ignore"):
                        assert row["payload"] == raw.decode("utf-8")  # (else \\xNN escapes)
            if contract.conflict_key and good is not None:
                # a key never lands with two payloads: the later one is a quarantined conflict
                keys = {}
                for row in good.select(
                    [*contract.conflict_key, contract.conflict_hash]
                ).to_pylist():
                    key = tuple(row[k] for k in contract.conflict_key)
                    keys.setdefault(key, set()).add(row[contract.conflict_hash])
                assert all(len(hashes) == 1 for hashes in keys.values())

    check()


@pytest.mark.parametrize("contract", CONTRACTS, ids=IDS)
def test_real_records_land_unchanged(contract, seeds, tmp_path):
    """The starting point is sound: the world's own records, untouched, all land (so the
    fuzzing above rejects what its mutations broke, not everything)."""
    records = seeds[f"{contract.system}/{contract.table}"]
    path = tmp_path / "inbox" / contract.system / file_name(contract)
    path.parent.mkdir(parents=True)
    if is_json(contract):
        path.write_bytes(b"\n".join(json_line(r) for r in records) + b"\n")
    else:
        path.write_bytes(csv_payload(sorted({c for r in records for c in r}), records))
    result = land_file(path, contract, tmp_path / "lake")
    assert (result.rows_read, result.rows_landed) == (len(records), len(records))
