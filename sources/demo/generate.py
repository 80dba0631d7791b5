"""`u2c generate`: write a deterministic demo inbox."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sources.demo.usage import write_usage
from sources.demo.world import build_world


@dataclass(frozen=True)
class GenerateOptions:
    out: Path
    seed: int = 7
    days: int = 45
    customers: int = 40
    events_per_day: int = 2_000


def generate(options: GenerateOptions) -> list[Path]:
    world = build_world(options.seed, options.customers, options.days)
    return write_usage(world, options.out / "inbox", options.events_per_day)
