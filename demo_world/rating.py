"""The demo billing platform's billing policy, as pure functions (what shadow rating recomputes).

- Commercial quantity: technical quantity / unit_divisor, rounded `up` (ceiling) or `down`
  (floor) to a whole number.
- billable = max(0, quantity - included_units).
- per_unit: billable x unit_price. graduated: tier i covers (up_to[i-1], up_to[i]] of billable,
  each unit priced at its tier, plus the flat fee of every tier reached. volume: the tier that
  contains billable prices all billable units, plus its flat fee; 0 when billable is 0.
- Amounts are exact (fractions) until one final half-even rounding to the currency's minor
  unit. Money leaves this module as an integer count of minor units.
- Proration: fee x seconds_remaining / seconds_in_period, rounded half-even.
- Tax: subtotal x rate, rounded half-even.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from sources.currencies import minor_units

PRICING_MODELS = ("per_unit", "graduated", "volume")
ROUNDINGS = ("up", "down")


@dataclass(frozen=True)
class Tier:
    up_to: int | None  # commercial units of billable quantity; None = no upper bound
    unit_price: Decimal  # major units per commercial unit
    flat_fee: Decimal = Decimal(0)  # major units, charged once when the tier is reached


@dataclass(frozen=True)
class PriceTerm:
    """One metric's price terms in one currency (a contract version's row set)."""

    metric: str
    pricing_model: str
    tiers: tuple[Tier, ...]
    included_units: int
    unit_divisor: int
    rounding: str

    def __post_init__(self) -> None:
        if self.pricing_model not in PRICING_MODELS:
            raise ValueError(f"unknown pricing model {self.pricing_model!r}")
        if self.rounding not in ROUNDINGS:
            raise ValueError(f"unknown rounding {self.rounding!r}")
        if not self.tiers or self.tiers[-1].up_to is not None:
            raise ValueError("the last tier must be unbounded")
        if self.pricing_model == "per_unit" and len(self.tiers) != 1:
            raise ValueError("a per_unit price has exactly one tier")


def scale(currency: str) -> int:
    return 10 ** minor_units(currency)


def to_minor(amount: Decimal | Fraction | int, currency: str) -> int:
    """An exact major-unit amount -> minor units, rounded half-even once."""
    return round(Fraction(amount) * scale(currency))


def to_major(amount_minor: int, currency: str) -> Decimal:
    """Minor units -> a Decimal in major units with the currency's precision."""
    digits = minor_units(currency)
    return Decimal(amount_minor).scaleb(-digits).quantize(Decimal(1).scaleb(-digits))


def commercial_quantity(technical: int | Decimal, unit_divisor: int, rounding: str) -> int:
    """Technical units -> whole commercial units (`up` = ceiling, `down` = floor)."""
    exact = Fraction(technical) / unit_divisor
    if rounding == "up":
        return -((-exact.numerator) // exact.denominator)
    if rounding == "down":
        return exact.numerator // exact.denominator
    raise ValueError(f"unknown rounding {rounding!r}")


def billable_units(quantity: int, included_units: int | Decimal) -> Fraction:
    return max(Fraction(0), Fraction(quantity) - Fraction(included_units))


def tiered_amount(billable: Fraction | int, pricing_model: str, tiers: Sequence[Tier]) -> Fraction:
    """The exact amount in major units for `billable` commercial units."""
    billable = Fraction(billable)
    if billable <= 0:
        return Fraction(0)
    if pricing_model == "per_unit":
        return billable * Fraction(tiers[0].unit_price)
    if pricing_model == "volume":
        for tier in tiers:
            if tier.up_to is None or billable <= tier.up_to:
                return billable * Fraction(tier.unit_price) + Fraction(tier.flat_fee)
        raise ValueError("no tier contains the quantity")  # unreachable: last tier unbounded
    if pricing_model == "graduated":
        amount, lower = Fraction(0), Fraction(0)
        for tier in tiers:
            upper = billable if tier.up_to is None else min(billable, Fraction(tier.up_to))
            if upper <= lower:
                break
            amount += (upper - lower) * Fraction(tier.unit_price) + Fraction(tier.flat_fee)
            lower = upper
        return amount
    raise ValueError(f"unknown pricing model {pricing_model!r}")


def usage_amount(quantity: int, term: PriceTerm, currency: str) -> int:
    """The usage line amount (minor units) for a commercial quantity under `term`."""
    billable = billable_units(quantity, term.included_units)
    return to_minor(tiered_amount(billable, term.pricing_model, term.tiers), currency)


def rate_usage(technical: int | Decimal, term: PriceTerm, currency: str) -> tuple[int, int]:
    """(commercial quantity, amount in minor units) of a month's technical usage."""
    quantity = commercial_quantity(technical, term.unit_divisor, term.rounding)
    return quantity, usage_amount(quantity, term, currency)


def prorate(fee: Decimal, seconds_remaining: int, seconds_in_period: int, currency: str) -> int:
    """fee x seconds_remaining / seconds_in_period, in minor units, rounded half-even."""
    if not 0 <= seconds_remaining <= seconds_in_period or seconds_in_period <= 0:
        raise ValueError("seconds_remaining must lie within the period")
    return to_minor(Fraction(fee) * seconds_remaining / seconds_in_period, currency)


def tax_amount(subtotal_minor: int, rate: Decimal) -> int:
    """Tax on a subtotal already in minor units, rounded half-even to the minor unit."""
    return round(subtotal_minor * Fraction(rate))


def minimum_commitment_true_up(lines_minor: int, commitment: Decimal, currency: str) -> int:
    """The true-up (minor units) that lifts fee + usage lines to the minimum commitment."""
    return max(0, to_minor(commitment, currency) - lines_minor)


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split `total` over lines proportionally to `weights`, half-even per line, the
    remainder (positive or negative) on the line with the largest absolute weight."""
    denominator = sum(weights)
    if not weights:
        return []
    if denominator == 0:
        shares = [0] * len(weights)
    else:
        shares = [round(Fraction(total * w, denominator)) for w in weights]
    largest = max(range(len(weights)), key=lambda i: (abs(weights[i]), -i))
    shares[largest] += total - sum(shares)
    return shares
