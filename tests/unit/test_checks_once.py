"""Each check in one place: the rules of the journal gate are defined in dbt (views carrying the
dbt tests), and no module under `expectations/` writes SQL beyond reading a model whole."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import yaml

from expectations.journal_gate import BALANCES_MODEL, LINES_MODEL, PARAMETER_MODELS

ROOT = Path(__file__).resolve().parents[2]
SQL_WORDS = re.compile(r"\b(select|group\s+by|where|join|union|sum\s*\(|case\s+when)\b", re.I)
READ_A_MODEL = re.compile(r"\s*select \* from [\w{}.]+\s*")


def strings(tree: ast.AST) -> list[str]:
    """Every string literal in the module (an f-string with its fields as `{}`), docstrings
    aside."""
    skipped = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    # an f-string's literal parts are read with it, never alone
    skipped |= {
        id(part)
        for node in ast.walk(tree)
        if isinstance(node, ast.JoinedStr)
        for part in node.values
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            found.append(
                "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
            )
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in skipped
        ):
            found.append(node.value)
    return found


def test_no_expectations_module_holds_sql_beyond_reading_a_model():
    offending = {
        f"{path.relative_to(ROOT)}: {text.strip()[:80]!r}"
        for path in sorted((ROOT / "expectations").rglob("*.py"))
        for text in strings(ast.parse(path.read_text()))
        if SQL_WORDS.search(text) and not READ_A_MODEL.fullmatch(text)
    }
    assert not offending, sorted(offending)


def test_no_suite_carries_sql():
    """A suite states expectations on columns; a query inside one would be a second home for a
    rule dbt already defines."""
    for path in sorted((ROOT / "expectations" / "suites").glob("*.json")):
        suite = json.loads(path.read_text())
        for expectation in suite["expectations"]:
            assert not SQL_WORDS.search(json.dumps(expectation["kwargs"])), (path.name, expectation)


def models() -> dict[str, dict]:
    found = {}
    for path in (ROOT / "dbt_project" / "models").rglob("*.yml"):
        for model in (yaml.safe_load(path.read_text()) or {}).get("models") or []:
            found[model["name"]] = model
    return found


def column_tests(model: dict) -> dict[str, list]:
    return {c["name"]: c.get("data_tests") or [] for c in model.get("columns") or []}


def test_the_gate_reads_the_models_the_dbt_tests_check():
    """The views the gate reads are dbt models carrying the dbt tests of the same rules: balance
    on the journal totals, one side per line, the chart of accounts and the open periods by the
    same parameter models the gate's line suite takes."""
    defined = models()
    balances, sides = defined[BALANCES_MODEL], defined[LINES_MODEL]
    balance_rules = [t["expression_is_true"]["arguments"]["expression"]
                     for t in balances["data_tests"] if "expression_is_true" in t]  # fmt: skip
    assert balance_rules == ["imbalance = 0 and functional_imbalance = 0"]
    side_rules = [t["expression_is_true"]["arguments"]["expression"]
                  for t in sides["data_tests"] if "expression_is_true" in t]  # fmt: skip
    assert side_rules == ["sides_used <= 1"]
    related = {
        column: test["relationships"]["arguments"]["to"]
        for column, tests in column_tests(sides).items()
        for test in tests
        if isinstance(test, dict) and "relationships" in test
    }
    assert related == {
        "account": f"ref('{PARAMETER_MODELS['chart_of_accounts']}')",
        "posting_period": f"ref('{PARAMETER_MODELS['open_periods']}')",
    }
    # journal_lines no longer sums its own journals: the balance lives in one model
    journal_tests = json.dumps(defined["journal_lines"].get("data_tests"))
    assert "balanced" not in journal_tests


REC_SUITES = ("rec_billing_erp", "rec_payments_cash", "rec_adjustments_erp", "rec_usage_billing",
              "rec_usage_meters")  # fmt: skip


def manifest(tmp_path: Path, tests: list[tuple[str, str, list[str]]]) -> Path:
    nodes = {
        f"test.p.column_rules_{model}.{n}": {
            "resource_type": "test",
            "attached_node": f"model.p.{model}",
            "test_metadata": {
                "name": "column_rules",
                "kwargs": {"not_null": [column], "accepted_values": {column: values}},
            },
        }
        for n, (model, column, values) in enumerate(tests)
    }
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"nodes": nodes}))
    return path


def test_the_rec_suites_take_their_statuses_from_dbt(tmp_path: Path):
    """The accepted statuses of a reconciliation mart are written once, in its dbt
    column_rules test (accepted_values); its GX suite takes them as a parameter and fails on any
    other."""
    import pandas as pd

    from expectations.dbt_rules import accepted_values
    from expectations.validate import validate_dataframe

    for suite in REC_SUITES:
        definition = json.loads((ROOT / "expectations" / "suites" / f"{suite}.json").read_text())
        [rule] = [e for e in definition["expectations"]
                  if e["type"] == "expect_column_values_to_be_in_set"]  # fmt: skip
        assert rule["kwargs"] == {
            "column": "status",
            "value_set": {"$PARAMETER": "accepted_statuses"},
        }, suite
        [rules] = [t["column_rules"]["arguments"] for t in models()[suite]["data_tests"]
                   if isinstance(t, dict) and "column_rules" in t]  # fmt: skip
        assert rules["accepted_values"]["status"], suite

    path = manifest(tmp_path, [("rec_adjustments_erp", "status", ["matched", "not_reversed"])])
    statuses = accepted_values(path, "rec_adjustments_erp", "status")
    assert statuses == ["matched", "not_reversed"]
    frame = pd.DataFrame({"adjustment_id": ["cn_1", "cn_2"], "status": ["matched", "not_reversed"]})
    parameters = {"accepted_statuses": statuses}
    assert validate_dataframe("rec_adjustments_erp", frame, parameters).success
    # a status the dbt test does not name fails the gate, though the suite lists none itself
    parameters = {"accepted_statuses": ["matched"]}
    failed = validate_dataframe("rec_adjustments_erp", frame, parameters)
    assert not failed.success
    assert [(f.expectation, f.column) for f in failed.failed] == [
        ("expect_column_values_to_be_in_set", "status")
    ]


def test_a_gate_never_reads_a_rule_dbt_does_not_state_once(tmp_path: Path):
    import pytest

    from expectations.dbt_rules import accepted_values

    path = manifest(tmp_path, [("rec_x", "status", ["a"]), ("rec_x", "status", ["b"])])
    with pytest.raises(ValueError, match=r"2 accepted_values rules on rec_x\.status"):
        accepted_values(path, "rec_x", "status")
    with pytest.raises(ValueError, match=r"0 accepted_values rules on rec_y\.status"):
        accepted_values(path, "rec_y", "status")
