"""One description per column meaning: the shared `{% docs %}` blocks in
dbt_project/models/_columns__docs.md, referenced from the models' yml. A column described the same
way in two models takes the block; a text of its own says something the block does not."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import yaml

MODELS = Path(__file__).resolve().parents[2] / "dbt_project" / "models"
DOCS = MODELS / "_columns__docs.md"
REFERENCE = re.compile(r"""\{\{\s*doc\(["'](\w+)["']\)\s*\}\}""")
# the yml files that reference the blocks so far (the rest of the project follows)
# the column names described many ways before the blocks (issue 22)
SHARED_COLUMNS = {"functional_currency", "legal_entity", "fiscal_period", "billing_period",
                  "batch_id", "landed_at", "file_name", "currency", "customer_id", "account_id",
                  "subscription_id", "invoice_id", "created_at", "amount_minor"}  # fmt: skip
FILES = (
    "staging/billing/_billing__models.yml",
    "staging/crm/_crm__models.yml",
    "staging/erp/_erp__models.yml",
    "staging/landing/_landing__models.yml",
    "staging/usage/_usage__models.yml",
    "marts/ops/_ops__models.yml",
    "marts/reconciliation/_reconciliation__models.yml",
    "marts/finance/_finance__models.yml",
)


def blocks() -> dict[str, str]:
    found = {}
    for path in MODELS.rglob("*.md"):
        for name, body in re.findall(r"{% docs (\w+) %}(.*?){% enddocs %}", path.read_text(), re.S):
            found[name] = body.strip()
    return found


def columns(relative: str):
    for model in yaml.safe_load((MODELS / relative).read_text()).get("models") or []:
        for column in model.get("columns") or []:
            yield model["name"], column["name"], str(column.get("description") or "")


def test_every_reference_names_a_block():
    known = blocks()
    missing = {
        (relative, model, column, name)
        for relative in FILES
        for model, column, text in columns(relative)
        for name in REFERENCE.findall(text)
        if name not in known
    }
    assert not missing, sorted(missing)


def test_the_shared_meanings_have_one_block_each():
    shared = set(re.findall(r"{% docs (\w+) %}", DOCS.read_text()))
    assert {"functional_currency", "legal_entity", "fiscal_period", "billing_period", "batch_id",
            "landed_at", "currency", "transaction_currency", "amount_minor", "customer_id",
            "crm_account_id", "netsuite_account_id"} <= shared  # fmt: skip
    # a block is written once in the project, and each is used
    assert len(re.findall(r"{% docs (\w+) %}", DOCS.read_text())) == len(shared)
    used = {
        name
        for relative in FILES
        for _, _, text in columns(relative)
        for name in REFERENCE.findall(text)
    }
    assert shared <= used, sorted(shared - used)


def test_no_plain_description_of_a_column_is_repeated_where_a_block_exists():
    """A column whose meaning has a block is never described by the same plain text in two
    models: that text is the block."""
    referenced_columns = set(SHARED_COLUMNS)
    texts: dict[tuple[str, str], set[str]] = defaultdict(set)
    for relative in FILES:
        for model, column, text in columns(relative):
            if REFERENCE.search(text):
                referenced_columns.add(column)
            elif text:
                texts[(column, " ".join(text.split()))].add(model)
    repeated = {
        (column, text, tuple(sorted(models)))
        for (column, text), models in texts.items()
        if column in referenced_columns and len(models) > 1
    }
    assert not repeated, sorted(repeated)
