"""Exchange rates of the demo world: a monthly average and month-end rate per currency pair.

Rates are drawn from the seed around fixed anchors (USD per unit of EUR, GBP, JPY). The ERP's
consolidated exchange rates, the ERP journals' conversion into functional currency and
Stripe's settlement exchange rate all read the average rate of the posting month. The ERP has
rates between USD and each other currency only: the journals convert a pair without one (GBP
into EUR) through USD, rounded once (`convert`); Stripe quotes its own cross rate (`average`).
"""

from __future__ import annotations

import random
from decimal import ROUND_HALF_EVEN, Decimal

from demo_world.calendar import Period
from sources.currencies import minor_units

BASE = "USD"
_ANCHORS = {"EUR": Decimal("1.0850"), "GBP": Decimal("1.2700"), "JPY": Decimal("0.0067000")}
_PLACES_TO_USD = {"EUR": 6, "GBP": 6, "JPY": 8}
_PLACES_FROM_USD = {"EUR": 6, "GBP": 6, "JPY": 4}


class Rates:
    def __init__(self, seed: int, periods: tuple[Period, ...]) -> None:
        rng = random.Random(seed * 7_919 + 5)
        self._average: dict[tuple[str, str, str], Decimal] = {}
        self._month_end: dict[tuple[str, str, str], Decimal] = {}
        for period in periods:
            for currency, anchor in _ANCHORS.items():
                drift = Decimal(rng.randint(-150, 150)) / 10_000
                average = anchor * (1 + drift)
                month_end = average * (1 + Decimal(rng.randint(-40, 40)) / 10_000)
                for table, value in ((self._average, average), (self._month_end, month_end)):
                    to_usd = _q(value, _PLACES_TO_USD[currency])
                    table[(period.key, currency, BASE)] = to_usd
                    table[(period.key, BASE, currency)] = _q(1 / to_usd, _PLACES_FROM_USD[currency])

    def pairs(self, period: Period) -> list[tuple[str, str, Decimal, Decimal]]:
        """(from, to, average, month-end) for every pair of `period`, in a fixed order."""
        return [
            (a, b, self._average[(period.key, a, b)], self._month_end[(period.key, a, b)])
            for currency in _ANCHORS
            for a, b in ((currency, BASE), (BASE, currency))
        ]

    def average(self, period: Period, source: str, target: str) -> Decimal:
        """The average rate of `period` from `source` into `target` (1 for the same)."""
        if source == target:
            return Decimal(1)
        if source == BASE or target == BASE:
            return self._average[(period.key, source, target)]
        return _q(
            self._average[(period.key, source, BASE)] * self._average[(period.key, BASE, target)],
            8,
        )

    def convert(self, period: Period, amount: Decimal, source: str, target: str) -> Decimal:
        """`amount` in `target` at `period`'s average rates, rounded half-even once to the
        target's minor unit: a pair without a rate of its own (GBP -> EUR) is multiplied by both
        legs through USD, unrounded, as the ERP's consolidated rates give them."""
        unit = Decimal(1).scaleb(-minor_units(target))
        if source == target:
            return amount.quantize(unit, rounding=ROUND_HALF_EVEN)
        if source == BASE or target == BASE:
            exact = amount * self._average[(period.key, source, target)]
        else:
            exact = (
                amount
                * self._average[(period.key, source, BASE)]
                * self._average[(period.key, BASE, target)]
            )
        return exact.quantize(unit, rounding=ROUND_HALF_EVEN)

    def month_end(self, period: Period, source: str, target: str) -> Decimal:
        if source == target:
            return Decimal(1)
        return self._month_end[(period.key, source, target)]


def _q(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places))
