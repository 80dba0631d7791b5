from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from exports.formats.csv_safe import format_cell, render_csv


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_formula_triggers_are_neutralized(text):
    assert format_cell(text) == "'" + text


def test_numbers_stay_exact_and_plain():
    assert format_cell(Decimal("-12.50")) == "-12.50"
    assert format_cell(Decimal("1E-9")) == "0.000000001"
    assert format_cell(date(2026, 9, 1)) == "2026-09-01"
    with pytest.raises(TypeError):
        format_cell(0.1)


def test_render_round_trips():
    payload = render_csv(["a", "b"], [("x,y", Decimal("1.5")), (None, 3)])
    rows = list(csv.reader(io.StringIO(payload.decode())))
    assert rows == [["a", "b"], ["x,y", "1.5"], ["", "3"]]


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tx", "\rx", "plain", "'quoted", ""]
)
def test_restore_undoes_neutralize(text):
    from exports.formats.csv_safe import neutralize, restore

    assert restore(neutralize(text)) == text


def test_line_terminator_and_read_back():
    from exports.formats.csv_safe import read_csv

    payload = render_csv(None, [("a", Decimal("1.00")), ("=b", None)], lineterminator="\n")
    assert payload == b"a,1.00\n'=b,\n"
    assert read_csv(payload) == [["a", "1.00"], ["'=b", ""]]
    assert render_csv(["h"], [("x",)]) == b"h\r\nx\r\n"
