"""GX's Data Docs views with their Jinja templates compiled once per process.

GX makes a new Jinja environment for every site it builds, so each build compiled its ~50
templates again: 0.4 s of a 0.7 s build (profiled), paid by every gate of a run (each renders
its suite's pages and the index). These views give that environment Jinja's own bytecode cache,
kept in memory for the life of the process. The cache is keyed by template name and source
checksum, so the HTML is the same; only the compiling is skipped. Imported by GX when it builds
a site (`data_docs.SITE_CONFIG` names these classes), never before: GX is a slow import.
"""

from __future__ import annotations

from great_expectations.render.view import DefaultJinjaIndexPageView, DefaultJinjaPageView
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket


class CompiledTemplates(BytecodeCache):
    """Compiled templates by Jinja's bucket key, in memory. `compiled` counts the compiles
    (the misses)."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}
        self.compiled = 0

    def load_bytecode(self, bucket: Bucket) -> None:
        if (code := self._code.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()
        self.compiled += 1


TEMPLATES = CompiledTemplates()


class _CompiledOnce:
    """A GX view whose Jinja environment keeps its compiled templates in TEMPLATES."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.env.bytecode_cache = TEMPLATES


class PageView(_CompiledOnce, DefaultJinjaPageView):
    pass


class IndexPageView(_CompiledOnce, DefaultJinjaIndexPageView):
    pass
