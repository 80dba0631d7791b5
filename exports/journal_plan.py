"""What the next ERP export batch must contain, given the journals now and what was sent before.

Pure functions over export lines (dicts, one per journal line, keys as in
`exports.formats.lines.EXPORT_LINE_KEYS`). A sent journal is never rewritten: when a journal
changes after it was sent, the batch carries a reversal of exactly what was sent (same lines,
sides swapped, same rate) plus the corrected journal under a new External ID; when it disappears
(a voided document), the reversal alone.

A journal counts as changed when what it books changes: document date, entity, currency, and per
line account, dimensions and transaction amounts. Memos, customer names, landing lineage and
the functional amounts are left out on purpose: a period close moves a journal's posting (and
so its rate) without changing it, and the ERP converts with its own rates anyway.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from exports.formats.lines import exact_sum, side

ORIGINAL, REVERSAL, CORRECTION = "original", "reversal", "correction"
Line = Mapping[str, object]

# the per-line fields that make a journal what it is (see the module docstring)
BOOKED_LINE_FIELDS = ("account", "department", "class", "location", "debit", "credit")


@dataclass(frozen=True)
class Period:
    """A posting period as the warehouse resolves it (int_posting_periods, the posting period
    rule): where a posting dated in it goes. The rule itself is not written here."""

    fiscal_period: str  # YYYY-MM
    start_date: date
    end_date: date
    posting_fiscal_period: str | None  # this period, or where a closed one's postings go
    is_posting_period_moved: bool
    moved_posting_date: date | None  # the date a moved posting takes
    name: str  # the ERP's period name, e.g. "Oct 2026"


@dataclass(frozen=True)
class SentJournal:
    """The live version of a journal in the ERP, as the export ledger recorded it."""

    journal_id: str
    external_id: str
    versions: int  # how many versions went out so far (reversals not counted)
    fingerprint: str
    lines: tuple[Line, ...]
    live: bool  # False once its last version was reversed without a replacement


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value else "0"
    return str(value)


def fingerprint(lines: Iterable[Line]) -> str:
    """Identity of what a journal books; equal for journals the ERP would hold the same."""
    lines = list(lines)
    head = lines[0]
    booked = sorted(
        "\x1f".join(_text(line[f]) for f in BOOKED_LINE_FIELDS)
        for line in lines
        if line["debit"] or line["credit"]
    )
    digest = hashlib.sha256(
        "\x1e".join(
            [
                _text(head["original_date"]),
                _text(head["legal_entity"]),
                _text(head["currency"]),
                *booked,
            ]
        ).encode()
    )
    return digest.hexdigest()


def by_journal(lines: Iterable[Line], key: str = "journal_id") -> dict[str, list[Line]]:
    grouped: dict[str, list[Line]] = defaultdict(list)
    for line in lines:
        grouped[str(line[key])].append(line)
    for journal in grouped.values():
        journal.sort(key=lambda line: int(line["line_number"]))  # type: ignore[arg-type]
    return dict(grouped)


def ledger_state(ledger: Iterable[Line]) -> dict[str, SentJournal]:
    """Replay the ledger (rows carry `export_sequence`) into each journal's live version."""
    state: dict[str, SentJournal] = {}
    batches: dict[int, list[Line]] = defaultdict(list)
    for row in ledger:
        batches[int(row["export_sequence"])].append(row)  # type: ignore[arg-type]
    for sequence in sorted(batches):
        for external_id, lines in sorted(by_journal(batches[sequence], "external_id").items()):
            head = lines[0]
            journal_id = str(head["journal_id"])
            previous = state.get(journal_id)
            versions = previous.versions if previous else 0
            if head["journal_kind"] == REVERSAL:
                if previous is not None:
                    state[journal_id] = SentJournal(
                        journal_id, previous.external_id, versions, previous.fingerprint, (), False
                    )
                continue
            state[journal_id] = SentJournal(
                journal_id, external_id, versions + 1, fingerprint(lines), tuple(lines), True
            )
    return state


def posting_for(day: date, periods: Sequence[Period]) -> tuple[str, date]:
    """Where a journal dated `day` posts now, as the warehouse's posting periods say: its own
    period and date, or the period and date its postings move to."""
    for period in periods:
        if period.start_date <= day <= period.end_date:
            if not period.is_posting_period_moved:
                return period.fiscal_period, day
            if period.posting_fiscal_period is None or period.moved_posting_date is None:
                raise ValueError(f"no open fiscal period to post {day} in")
            return period.posting_fiscal_period, period.moved_posting_date
    raise ValueError(f"no fiscal period covers {day}")


def reverse(sent: SentJournal, periods: Sequence[Period]) -> list[dict]:
    """The reversal of a sent journal: its lines with sides swapped, same rate, posted on the
    original posting date when that period is still open, else in the first open period."""
    head = sent.lines[0]
    period, day = posting_for(head["posting_date"], periods)  # type: ignore[arg-type]
    return [
        {
            **line,
            "external_id": f"{sent.external_id}-REV",
            "journal_kind": REVERSAL,
            "reverses_external_id": sent.external_id,
            "posting_period": period,
            "posting_date": day,
            "memo": f"Reversal of {sent.external_id}: {line['memo'] or ''}".rstrip(": "),
            "debit": line["credit"],
            "credit": line["debit"],
            "functional_debit": line["functional_credit"],
            "functional_credit": line["functional_debit"],
        }
        for line in sent.lines
    ]


def _as_version(lines: list[Line], version: int, kind: str, replaces: str | None) -> list[dict]:
    journal_id = str(lines[0]["journal_id"])
    external_id = journal_id if version == 1 else f"{journal_id}-V{version}"
    return [
        {**line, "external_id": external_id, "journal_kind": kind, "reverses_external_id": replaces}
        for line in lines
    ]


def plan_batch(
    current: Iterable[Line], sent: Mapping[str, SentJournal], periods: Sequence[Period]
) -> list[dict]:
    """The export lines of the next batch, ordered by External ID and line number."""
    journals = by_journal(current)
    planned: list[dict] = []
    for journal_id, lines in sorted(journals.items()):
        before = sent.get(journal_id)
        if before is None:
            planned += _as_version(lines, 1, ORIGINAL, None)
        elif not before.live:
            planned += _as_version(lines, before.versions + 1, CORRECTION, before.external_id)
        elif before.fingerprint != fingerprint(lines):
            planned += reverse(before, periods)
            planned += _as_version(lines, before.versions + 1, CORRECTION, before.external_id)
    for journal_id, before in sorted(sent.items()):
        if before.live and journal_id not in journals:
            planned += reverse(before, periods)
    planned.sort(key=lambda line: (line["external_id"], int(line["line_number"])))
    return planned


def batch_id(lines: Sequence[Line], fields: Sequence[str]) -> str:
    """Content address of a batch: the same lines always make the same batch id."""
    digest = hashlib.sha256()
    for line in lines:
        digest.update("\x1f".join(_text(line[f]) for f in fields).encode() + b"\x1e")
    return f"jb-{digest.hexdigest()[:16]}"


def summarize(lines: Sequence[Line], export_batch_id: str) -> tuple[list[dict], list[dict]]:
    """Summary mode: one journal per entity x posting date x currency x rate, one line per
    account x dimensions x side. Returns the summary lines and, per detail line, the summary
    line it went into (the drill-down)."""
    groups: dict[tuple, dict[tuple, list[Line]]] = defaultdict(lambda: defaultdict(list))
    for line in lines:
        journal_key = (
            line["legal_entity"],
            line["posting_date"],
            line["currency"],
            line["exchange_rate"],
        )
        line_key = (
            line["account"],
            line["department"],
            line["class"],
            line["location"],
            side(line),
        )
        groups[journal_key][line_key].append(line)
    summary: list[dict] = []
    drilldown: list[dict] = []
    short = export_batch_id.removeprefix("jb-")[:8]
    for journal_key in sorted(groups, key=_sort_key):
        entity, day, currency, _rate = journal_key
        external_id = f"U2C-SUM-{entity}-{day:%Y%m%d}-{currency}-{short}"
        for number, line_key in enumerate(sorted(groups[journal_key], key=_sort_key), start=1):
            members = groups[journal_key][line_key]
            head = members[0]
            summary.append(
                {
                    **head,
                    "external_id": external_id,
                    "journal_id": external_id,
                    "line_number": number,
                    "journal_kind": "summary",
                    "reverses_external_id": None,
                    "source_type": "summary",
                    "memo": f"usage-to-cash summary {day:%Y-%m-%d}: {len(members)} lines",
                    "name": None,
                    "original_date": day,
                    "source_id": external_id,
                    "source_line_id": None,
                    "business_transaction_id": None,
                    "batch_id": None,
                    **{
                        f: exact_sum(m[f] for m in members)
                        for f in ("debit", "credit", "functional_debit", "functional_credit")
                    },
                }
            )
            drilldown += [
                {
                    "external_id": m["external_id"],
                    "line_number": m["line_number"],
                    "erp_external_id": external_id,
                    "erp_line_number": number,
                }
                for m in members
            ]
    return summary, drilldown


def _sort_key(key: tuple) -> tuple:
    return tuple("" if part is None else str(part) for part in key)
