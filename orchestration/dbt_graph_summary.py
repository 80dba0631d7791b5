"""dbt's graph summary without serializing every node.

Every `dbt build` writes `graph_summary.json` (diagnostics: each node's name, type and
successors, twice: with and without the test edges). dbt 1.11's `Linker.get_graph_summary` reads
a node's type by serializing the whole node to a dict (`to_dict`), every node of the manifest,
twice per build: about 0.2 s of a build's fixed cost at this project's size, in each of a run's
four dbt invocations. `install` replaces it, in this process, with one that reads the type
itself; the file is the same (tests/unit/test_dbt_graph_summary.py compares the two).
"""

from __future__ import annotations

from typing import Any

_dbts_own = None  # Linker.get_graph_summary as dbt defines it, once replaced


def graph_summary(linker, manifest) -> dict[int, dict[str, Any]]:
    """`Linker.get_graph_summary`'s summary: {index: {"name", "type", "succ" when any}}."""
    index = {name: position for position, name in enumerate(linker.graph)}
    summary: dict[int, dict[str, Any]] = {}
    for name, position in index.items():
        node: dict[str, Any] = {"name": name, "type": manifest.expect(name).resource_type.value}
        successors = [index[successor] for successor in linker.graph.successors(name)]
        if successors:
            node["succ"] = successors
        summary[position] = node
    return summary


def install() -> None:
    """Use `graph_summary` for every later build in this process (idempotent)."""
    global _dbts_own
    if _dbts_own is None:
        from dbt.compilation import Linker

        _dbts_own = Linker.get_graph_summary
        Linker.get_graph_summary = graph_summary


def dbts_own():
    """dbt's own `Linker.get_graph_summary`, installed over or not."""
    from dbt.compilation import Linker

    return _dbts_own or Linker.get_graph_summary
