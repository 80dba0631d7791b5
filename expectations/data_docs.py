"""Great Expectations Data Docs (HTML) for a run, from the validation results kept as JSON.

Each suite's result is saved under `<gx>/validations/<run id>/<suite>.json`; this renders those
with GX's own site builder into one static site, `<gx>/data_docs/index.html`: an index of the
latest validation of every suite (whichever run made it: the usage and the period runs validate
different suites), a page per validation result and a page per suite. Pages of earlier results
stay on disk beside it, and every run's JSON is kept.

The checks of a run may run in separate processes: each renders only its own results and then
the index from every result of the run saved so far, under a file lock, so the last one to finish
leaves an index naming all of them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from expectations.validate import SUITES_DIR, load_suite_definition
from sources.file_lock import held

SITE = "u2c"
INDEX = "index.html"
_VIEWS = {
    kind: {"module_name": "expectations.data_docs_views", "class_name": name}
    for kind, name in (("page", "PageView"), ("index", "IndexPageView"))
}


def build_data_docs(run_dir: Path, docs_dir: Path, suites: Iterable[str] | None = None) -> Path:
    """Render the results under `run_dir` (one `<suite>.json` each) into the site at `docs_dir`:
    the pages of `suites` (all when None), and the index of the latest result of every suite,
    this run's or an earlier run's (the sibling directories of `run_dir`). Returns the
    index.html path."""
    import great_expectations as gx
    from great_expectations.core.expectation_validation_result import (
        expectationSuiteValidationResultSchema,
    )
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.add_data_docs_site(
        SITE,
        {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(docs_dir.resolve()),
            },
            "site_index_builder": {
                "class_name": "DefaultSiteIndexBuilder",
                "view": _VIEWS["index"],
            },
            # its templates compiled once per process (expectations/data_docs_views.py)
            "site_section_builders": {
                section: {"view": _VIEWS["page"]}
                for section in ("expectations", "validations", "profiling")
            },
        },
    )
    wanted = None if suites is None else set(suites)
    resources: list = []
    with held(docs_dir / ".lock"):
        for path in _latest_results(run_dir):
            raw = json.loads(path.read_text())
            name = raw.get("suite_name") or path.stem
            if (SUITES_DIR / f"{name}.json").exists():
                suite = gx.ExpectationSuite(**load_suite_definition(name))
                context.suites.add(suite)
            key = ValidationResultIdentifier(
                expectation_suite_identifier=ExpectationSuiteIdentifier(name=name),
                # the same key every time this result is read: the index links to its page
                run_id=RunIdentifier(run_name=path.parent.name, run_time=_validated_at(raw, path)),
                batch_identifier=path.stem,
            )
            context.validation_results_store.set(
                key, expectationSuiteValidationResultSchema.load(raw)
            )
            if path.parent == run_dir and (wanted is None or name in wanted):
                resources += [key, ExpectationSuiteIdentifier(name=name)]
        if resources or wanted is None:
            context.build_data_docs(
                site_names=[SITE], resource_identifiers=resources if wanted is not None else None
            )
    return docs_dir / INDEX


def _latest_results(run_dir: Path) -> list[Path]:
    """Per suite, this run's result, else the most recent one of an earlier run."""
    latest: dict[str, Path] = {}
    earlier = [d for d in run_dir.parent.iterdir() if d.is_dir() and d != run_dir]
    for directory in sorted(earlier, key=lambda d: d.stat().st_mtime):
        for path in directory.glob("*.json"):
            latest[path.stem] = path
    for path in run_dir.glob("*.json"):
        latest[path.stem] = path
    return sorted(latest.values())


def _validated_at(raw: dict, path: Path) -> str:
    """When the batch was validated (GX's batch marker), else when the result was saved."""
    marked = ((raw.get("meta") or {}).get("batch_markers") or {}).get("ge_load_time")
    if marked:
        return marked
    saved = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
    return saved.strftime("%Y%m%dT%H%M%S.%fZ")
