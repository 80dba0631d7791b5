"""Rules the dbt project already states, for the suites that gate on them: read from dbt's
manifest, so a list of accepted values is written once, in the models' yml (the `accepted_values`
of the model's `column_rules` test), and the gate checks the very same list."""

from __future__ import annotations

import json
from pathlib import Path


def accepted_values(manifest: Path, model: str, column: str) -> list[str]:
    """The values the `column_rules` test of `model` accepts in `column`."""
    nodes = json.loads(Path(manifest).read_text())["nodes"].values()
    found = [
        node["test_metadata"]["kwargs"]["accepted_values"][column]
        for node in nodes
        if node["resource_type"] == "test"
        and (node.get("test_metadata") or {}).get("name") == "column_rules"
        and (node.get("attached_node") or "").rsplit(".", 1)[-1] == model
        and column in (node["test_metadata"]["kwargs"].get("accepted_values") or {})
    ]
    if len(found) != 1:
        raise ValueError(
            f"dbt has {len(found)} accepted_values rules on {model}.{column}; a gate that reads "
            "its values needs exactly one"
        )
    return list(found[0])
