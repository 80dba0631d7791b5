"""How `u2c` prints what it found: a readable table on a terminal, or JSON / CSV for scripts.

A command's answer is one or more sections, each a list of rows (dicts). The table shows the
section's chosen columns, aligned, long cells cut; JSON and CSV carry every field of every row,
exact (decimals as text, times as ISO 8601). JSON is always an object of sections
(`{"runs": [...], ...}`); CSV is one table per section, each after a `# <section>` line.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

FORMATS = ("table", "json", "csv")
MAX_CELL = 64  # a sha256 fits


@dataclass
class Section:
    name: str
    title: str
    rows: list[dict]
    columns: list[str] = field(default_factory=list)  # the table's; all fields when empty
    empty: str = "none"
    notes: list[str] = field(default_factory=list)  # lines under the table (terminal only)

    def fields(self) -> list[str]:
        names: dict[str, None] = {}
        for row in self.rows:
            names.update(dict.fromkeys(row))
        return list(names) or list(self.columns)


def exact(value: object) -> object:
    """A JSON / CSV value: decimals as plain text (never float), times as ISO 8601."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value else "0"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [exact(v) for v in value]
    if isinstance(value, dict):
        return {k: exact(v) for k, v in value.items()}
    return value


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)  # counts, line numbers, sequences
    if isinstance(value, Decimal):
        text = str(exact(value))
        whole, dot, fraction = text.partition(".")
        sign = "-" if whole.startswith("-") else ""
        return f"{sign}{int(whole.lstrip('-') or 0):,}{dot}{fraction}"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, (list, tuple)):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k} {_cell(v)}" for k, v in value.items())
    text = " ".join(str(value).split())
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def _numeric(value: object) -> bool:
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)


def render_table(section: Section) -> str:
    lines = [section.title]
    if not section.rows:
        lines.append(f"  {section.empty}")
    else:
        columns = section.columns or section.fields()
        cells = [[_cell(row.get(c)) for c in columns] for row in section.rows]
        widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
        right = [any(_numeric(row.get(c)) for row in section.rows) for c in columns]

        def line(values: list[str]) -> str:
            return "  " + "  ".join(
                v.rjust(w) if r else v.ljust(w)
                for v, w, r in zip(values, widths, right, strict=True)
            )

        lines.append(line(columns).rstrip())
        lines.append(line(["-" * w for w in widths]).rstrip())
        lines.extend(line(r).rstrip() for r in cells)
    lines.extend(f"  {note}" for note in section.notes)
    return "\n".join(lines)


def render(sections: list[Section], fmt: str) -> str:
    if fmt == "json":
        document = {s.name: [exact(r) for r in s.rows] for s in sections}
        return json.dumps(document, indent=2, ensure_ascii=False)
    if fmt == "csv":
        out = io.StringIO()
        for i, s in enumerate(sections):
            if len(sections) > 1:
                out.write(("\n" if i else "") + f"# {s.name}\n")
            writer = csv.DictWriter(out, fieldnames=s.fields(), lineterminator="\n")
            writer.writeheader()
            for row in s.rows:
                writer.writerow(
                    {
                        k: json.dumps(v)
                        if isinstance(v, (list, dict))
                        else ("" if v is None else v)
                        for k, v in ((k, exact(v)) for k, v in row.items())
                    }
                )
        return out.getvalue().rstrip("\n")
    return "\n\n".join(render_table(s) for s in sections)
