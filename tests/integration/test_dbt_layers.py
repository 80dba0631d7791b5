"""The dbt project's layers (README, "dbt layers and the direction of refs"), read from the
manifest of `dbt parse`: staging → intermediate → canonical → intermediate → marts, the canonical
model an explicit layer published beside the marts, nothing outside marts/ reading marts/, and no
model with more than seven parents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orchestration.settings import Settings

CANONICAL = {
    "customers",
    "subscriptions",
    "invoices",
    "invoice_lines",
    "credit_notes",
    "payments",
    "refunds",
    "fiscal_periods",
    "legal_entities",
    "gl_lines",
    "usage_by_period",
}
MAX_PARENTS = 7


@pytest.fixture(scope="module")
def models(defs_data_dir: Path) -> dict[str, dict]:
    # the manifest `dbt parse` wrote for the session's definitions (tests/conftest.py): read only
    manifest = json.loads(
        (Settings(data_dir=defs_data_dir).dbt_target / "manifest.json").read_text()
    )
    return {
        node["unique_id"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] in ("model", "seed")
    }


def _layer(node: dict) -> str:
    return node["original_file_path"].split("/")[1] if node["resource_type"] == "model" else "seed"


def _model_parents(node: dict, models: dict[str, dict]) -> list[dict]:
    return [models[p] for p in node["depends_on"]["nodes"] if p in models]


def test_the_canonical_model_is_its_own_layer_published_with_the_marts(models):
    by_name = {n["name"]: n for n in models.values() if n["resource_type"] == "model"}
    canonical = {n["name"] for n in by_name.values() if _layer(n) == "canonical"}
    assert canonical == CANONICAL
    for name in CANONICAL:
        node = by_name[name]
        # same relation, contract and Dagster group as when they were core marts
        assert node["schema"].endswith("marts"), name
        assert node["config"]["materialized"] == "table", name
        assert node["config"]["contract"]["enforced"] is True, name
        assert node["config"]["meta"]["dagster"]["group"] == "marts_core", name
    assert by_name["usage_by_period"]["tags"] == ["billing_period"]


def test_nothing_outside_marts_reads_a_mart(models):
    backwards = {
        node["name"]: sorted(p["name"] for p in parents if _layer(p) == "marts")
        for node in models.values()
        if node["resource_type"] == "model" and _layer(node) != "marts"
        for parents in [_model_parents(node, models)]
        if any(_layer(p) == "marts" for p in parents)
    }
    assert backwards == {}


def test_canonical_reads_no_finance_or_reconciliation_intermediate(models):
    # canonical sits between the first intermediates and finance/reconciliation
    for node in models.values():
        if node["resource_type"] == "model" and _layer(node) == "canonical":
            for parent in _model_parents(node, models):
                area = parent["original_file_path"].split("/")[1:3]
                assert area not in (
                    ["intermediate", "finance"],
                    ["intermediate", "reconciliation"],
                ), (node["name"], parent["name"])


def test_no_model_has_more_than_seven_parents(models):
    # refs, sources and seeds, as dbt-project-evaluator counts a model's parents
    fan_in = {
        node["name"]: len(node["depends_on"]["nodes"])
        for node in models.values()
        if node["resource_type"] == "model"
    }
    crowded = {name: n for name, n in fan_in.items() if n > MAX_PARENTS}
    assert crowded == {}
