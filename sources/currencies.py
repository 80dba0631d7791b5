"""ISO 4217 currencies the pipeline accepts, with their minor units (decimal places).

The list lives in one place, the dbt seed `dbt_project/seeds/currencies.csv`, so landing and
the warehouse agree. `stripe_minor_units` records where Stripe's precision differs from ISO
(Stripe treats ISK and UGX as zero-decimal), so Stripe amounts are read with Stripe's precision.
"""

from __future__ import annotations

import csv
from pathlib import Path

SEED = Path(__file__).resolve().parent.parent / "dbt_project" / "seeds" / "currencies.csv"


def _load() -> tuple[dict[str, int], dict[str, int]]:
    with open(SEED, newline="") as fh:
        rows = list(csv.DictReader(fh))
    iso = {r["currency"]: int(r["minor_units"]) for r in rows}
    stripe = {r["currency"]: int(r["stripe_minor_units"]) for r in rows}
    return iso, stripe


MINOR_UNITS, STRIPE_MINOR_UNITS = _load()


def is_known(code: str) -> bool:
    return code.upper() in MINOR_UNITS


def minor_units(code: str) -> int:
    return MINOR_UNITS[code.upper()]
