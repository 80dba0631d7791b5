"""tests/README.md names every test module, so the map from code to its tests stays whole."""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def test_every_test_module_is_in_the_map():
    text = (TESTS / "README.md").read_text()
    named = set(re.findall(r"(test_[\w*]+\.py)", text))
    missing = [
        path.relative_to(TESTS).as_posix()
        for path in sorted(TESTS.glob("*/test_*.py"))
        if not any(fnmatch.fnmatch(path.name, name) for name in named)
    ]
    assert missing == []
