"""The contract docstrings' column tables, rendered from the specs: `python -m sources.spec_docs`
rewrites every table that differs from its spec (`tests/unit/test_table_specs.py` fails until
it is run)."""

from __future__ import annotations

import sys
from pathlib import Path

from sources import billing, crm, erp
from sources.table_spec import module_specs, rewrite_doc
from sources.usage import events


def spec_modules() -> list:
    """The contract modules whose columns come from a spec."""
    return [events, *billing.SPEC_MODULES, *crm.MODULES, *erp.MODULES]


def main() -> int:
    for module in spec_modules():
        path = Path(module.__file__)
        text = path.read_text()
        new = rewrite_doc(text, module_specs(module))
        if new != text:
            path.write_text(new)
            print(f"rewrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
