"""`u2c`'s output: exact values for scripts, an aligned table for a terminal."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from decimal import Decimal

from orchestration.tables import Section, render

ROWS = [
    {"entity": "US01", "variance": Decimal("1918.800000000"), "rows": 3, "when": None},
    {"entity": "JP01", "variance": Decimal("-330000"), "rows": 12, "when": datetime(2026, 9, 1)},
]


def test_json_keeps_decimals_exact_as_text_and_every_field():
    document = json.loads(render([Section("open", "open rows", ROWS, ["entity"])], "json"))
    assert document == {
        "open": [
            {"entity": "US01", "variance": "1918.8", "rows": 3, "when": None},
            {"entity": "JP01", "variance": "-330000", "rows": 12, "when": "2026-09-01T00:00:00"},
        ]
    }


def test_csv_is_one_table_per_section():
    text = render([Section("a", "A", ROWS), Section("b", "B", [{"x": [1, 2]}])], "csv")
    first, second = text.split("\n\n")
    assert first.startswith("# a\n") and second.startswith("# b\n")
    rows = list(csv.DictReader(io.StringIO(first.split("\n", 1)[1])))
    assert rows[0] == {"entity": "US01", "variance": "1918.8", "rows": "3", "when": ""}
    assert list(csv.DictReader(io.StringIO(second.split("\n", 1)[1]))) == [{"x": "[1, 2]"}]


def test_table_aligns_numbers_right_and_says_when_empty():
    text = render(
        [
            Section("open", "open rows", ROWS, ["entity", "variance"]),
            Section("x", "X", [], empty="nothing"),
        ],
        "table",
    )
    lines = text.splitlines()
    assert lines[0] == "open rows"
    assert lines[3].endswith("1,918.8") and lines[4].endswith("-330,000")
    assert len(lines[3]) == len(lines[4])  # right-aligned in one column
    assert lines[-2:] == ["X", "  nothing"]
