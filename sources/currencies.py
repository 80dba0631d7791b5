"""ISO 4217 currencies the pipeline accepts, with their minor units (decimal places).

Payment processors sometimes differ from ISO (Stripe's zero-decimal list): `STRIPE_MINOR_UNITS`
holds those exceptions, so amounts in Stripe objects are read with Stripe's precision.
"""

from __future__ import annotations

MINOR_UNITS: dict[str, int] = {
    "USD": 2,
    "EUR": 2,
    "GBP": 2,
    "CAD": 2,
    "AUD": 2,
    "CHF": 2,
    "SEK": 2,
    "NOK": 2,
    "DKK": 2,
    "PLN": 2,
    "CZK": 2,
    "HUF": 2,
    "INR": 2,
    "BRL": 2,
    "MXN": 2,
    "SGD": 2,
    "HKD": 2,
    "NZD": 2,
    "ZAR": 2,
    "CNY": 2,
    "ILS": 2,
    "AED": 2,
    "SAR": 2,
    "TRY": 2,
    "THB": 2,
    "MYR": 2,
    "PHP": 2,
    "IDR": 2,
    "TWD": 2,
    "JPY": 0,
    "KRW": 0,
    "CLP": 0,
    "VND": 0,
    "ISK": 0,
    "PYG": 0,
    "UGX": 0,
    "XAF": 0,
    "XOF": 0,
    "BHD": 3,
    "KWD": 3,
    "OMR": 3,
    "JOD": 3,
    "TND": 3,
    "IQD": 3,
    "LYD": 3,
    "CLF": 4,
}

# Where Stripe's own precision differs from ISO 4217 (Stripe treats these as zero-decimal).
STRIPE_MINOR_UNITS: dict[str, int] = {**MINOR_UNITS, "ISK": 0, "HUF": 2, "TWD": 2, "UGX": 0}


def is_known(code: str) -> bool:
    return code.upper() in MINOR_UNITS


def minor_units(code: str) -> int:
    return MINOR_UNITS[code.upper()]
