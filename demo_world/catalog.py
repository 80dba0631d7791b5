"""The demo company's price book: metrics, products, plans and their price terms per currency.

Prices are set in USD and converted once per currency with a fixed list-price factor (unit
prices keep up to 4 decimals, so some fall below the minor unit: EUR 0.138, GBP 0.1185,
JPY 22.5); platform fees and minimum commitments are set per currency.

| plan | platform fee (USD) | api_calls | storage_bytes | seats | minimum commitment |
|---|---|---|---|---|---|
| starter | 99 | per_unit, 100 included | per_unit | per_unit | - |
| growth | 499 | graduated, 200 included, flat fee on tier 2 | graduated | per_unit | - |
| enterprise | 1999 | volume, 1000 included | volume, flat fee on tier 2 | per_unit | 4000 |

Units follow the meters seed (`dbt_project/seeds/meters.csv`): 1000 calls (the sum of the
gateway's requests), 1 GB (10^9 bytes, the period's peak snapshot), 1 seat (a distinct paying
user in the period), each rounded up.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from demo_world.rating import PriceTerm, Tier
from sources.currencies import minor_units


@dataclass(frozen=True)
class Metric:
    code: str
    product_name: str
    unit_label: str
    sku: str
    unit_divisor: int
    rounding: str
    event_share: float  # share of a subscription's events that carry this metric


METRICS: tuple[Metric, ...] = (
    Metric("api_calls", "API calls", "1k calls", "SKU-API-CALLS", 1_000, "up", 0.5),
    Metric("storage_bytes", "Storage", "GB", "SKU-STORAGE", 1_000_000_000, "up", 0.2),
    Metric("seats", "Seats", "seat", "SKU-SEATS", 1, "up", 0.3),
)
METRIC_CODES = tuple(m.code for m in METRICS)
METRIC_BY_CODE = {m.code: m for m in METRICS}

PLANS = ("starter", "growth", "enterprise")
PLAN_RANK = {plan: rank for rank, plan in enumerate(PLANS)}
# Relative event volume of a subscription on each plan (times the customer's size).
PLAN_EVENT_WEIGHT = {"starter": 1.0, "growth": 2.0, "enterprise": 4.0}
# Usage per month of a size-1.0 customer on each plan: API requests, peak stored bytes, seats.
MONTHLY_USAGE = {
    "starter": {"api_calls": 300_000, "storage_bytes": 400 * 10**9, "seats": 6},
    "growth": {"api_calls": 3_000_000, "storage_bytes": 2_000 * 10**9, "seats": 25},
    "enterprise": {"api_calls": 15_000_000, "storage_bytes": 10_000 * 10**9, "seats": 90},
}

CURRENCIES = ("USD", "EUR", "GBP", "JPY")
PRICE_FACTOR = {
    "USD": Decimal(1),
    "EUR": Decimal("0.92"),
    "GBP": Decimal("0.79"),
    "JPY": Decimal(150),
}
PLATFORM_FEE = {
    "starter": {"USD": "99", "EUR": "89", "GBP": "79", "JPY": "15000"},
    "growth": {"USD": "499", "EUR": "459", "GBP": "399", "JPY": "75000"},
    "enterprise": {"USD": "1999", "EUR": "1849", "GBP": "1599", "JPY": "300000"},
}
MINIMUM_COMMITMENT = {
    "starter": {},
    "growth": {},
    "enterprise": {"USD": "4000", "EUR": "3700", "GBP": "3200", "JPY": "600000"},
}

# Contract price terms in USD: metric -> (pricing model, included units, tiers).
_USD_TERMS: dict[str, dict[str, tuple[str, int, tuple[tuple[int | None, str, str], ...]]]] = {
    "starter": {
        "api_calls": ("per_unit", 100, ((None, "0.50", "0"),)),
        "storage_bytes": ("per_unit", 0, ((None, "0.10", "0"),)),
        "seats": ("per_unit", 0, ((None, "8.00", "0"),)),
    },
    "growth": {
        "api_calls": (
            "graduated",
            200,
            ((1_000, "0.40", "0"), (10_000, "0.30", "25"), (None, "0.20", "0")),
        ),
        "storage_bytes": ("graduated", 0, ((500, "0.08", "0"), (None, "0.05", "0"))),
        "seats": ("per_unit", 0, ((None, "7.00", "0"),)),
    },
    "enterprise": {
        "api_calls": (
            "volume",
            1_000,
            ((10_000, "0.30", "0"), (100_000, "0.22", "0"), (None, "0.15", "0")),
        ),
        "storage_bytes": ("volume", 0, ((5_000, "0.06", "0"), (None, "0.04", "50"))),
        "seats": ("per_unit", 0, ((None, "6.00", "0"),)),
    },
}

# Price-mismatch anomaly: the stale list price a wrongly configured item carries instead.
STALE_PRICE_FACTOR = Decimal("1.25")


def convert_unit_price(usd: Decimal, currency: str) -> Decimal:
    places = 2 if currency == "JPY" else 4
    return (usd * PRICE_FACTOR[currency]).quantize(Decimal(1).scaleb(-places)).normalize()


def convert_money(usd: Decimal, currency: str) -> Decimal:
    digits = minor_units(currency)
    return (usd * PRICE_FACTOR[currency]).quantize(Decimal(1).scaleb(-digits))


def platform_fee(plan: str, currency: str) -> Decimal:
    return Decimal(PLATFORM_FEE[plan][currency])


def minimum_commitment(plan: str, currency: str) -> Decimal:
    return Decimal(MINIMUM_COMMITMENT[plan].get(currency, "0"))


def price_terms(plan: str, currency: str) -> dict[str, PriceTerm]:
    """metric -> its price terms for `plan` in `currency` (every metric, in METRICS order)."""
    terms = {}
    for metric in METRICS:
        model, included, tiers = _USD_TERMS[plan][metric.code]
        terms[metric.code] = PriceTerm(
            metric=metric.code,
            pricing_model=model,
            tiers=tuple(
                Tier(
                    up_to=up_to,
                    unit_price=convert_unit_price(Decimal(unit), currency),
                    flat_fee=convert_money(Decimal(flat), currency),
                )
                for up_to, unit, flat in tiers
            ),
            included_units=included,
            unit_divisor=metric.unit_divisor,
            rounding=metric.rounding,
        )
    return terms


def stale_term(term: PriceTerm) -> PriceTerm:
    """The same term with every unit price raised by STALE_PRICE_FACTOR (price_mismatch)."""
    return PriceTerm(
        metric=term.metric,
        pricing_model=term.pricing_model,
        tiers=tuple(
            Tier(t.up_to, (t.unit_price * STALE_PRICE_FACTOR).normalize(), t.flat_fee)
            for t in term.tiers
        ),
        included_units=term.included_units,
        unit_divisor=term.unit_divisor,
        rounding=term.rounding,
    )
