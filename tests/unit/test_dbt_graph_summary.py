"""orchestration.dbt_graph_summary gives what dbt's own `Linker.get_graph_summary` gives, for the
project's manifest with and without the test edges (as a build writes graph_summary.json)."""

from __future__ import annotations

import json
from pathlib import Path

from orchestration.dbt_graph_summary import dbts_own, graph_summary


def test_the_summary_is_dbts_own_with_and_without_test_edges(defs_data_dir: Path):
    from dbt.artifacts.schemas.manifest import WritableManifest
    from dbt.compilation import Linker
    from dbt.contracts.graph.manifest import Manifest

    from orchestration.dbt_project import dbt_target_path

    # the manifest the fixture parsed, by its path (not the environment's data dir of the moment)
    written = WritableManifest.read_and_check_versions(
        str(dbt_target_path(defs_data_dir) / "manifest.json")
    )
    manifest = Manifest.from_writable_manifest(written)
    linker = Linker()
    linker.link_graph(manifest)
    plain = graph_summary(linker, manifest)
    assert json.dumps(plain) == json.dumps(dbts_own()(linker, manifest))
    manifest.build_parent_and_child_maps()
    linker.add_test_edges(manifest)
    with_tests = graph_summary(linker, manifest)
    assert json.dumps(with_tests) == json.dumps(dbts_own()(linker, manifest))
    # the project's models, tests and their edges are all there
    types = {node["type"] for node in with_tests.values()}
    assert {"model", "test", "seed", "source"} <= types
    assert sum(len(node.get("succ", [])) for node in with_tests.values()) > sum(
        len(node.get("succ", [])) for node in plain.values()
    )
