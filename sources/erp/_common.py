"""Column kinds shared by the NetSuite2 (ERP) tables."""

from __future__ import annotations

from sources.contract import ReasonClass
from sources.csv_fields import RATE, decimal

SYSTEM = "erp"

# NetSuite money: decimal major units; no currency has more than 4 decimals (CLF).
AMOUNT = decimal(scale=4)
# Item quantities and item rates (prices per unit): up to 9 decimals.
QUANTITY = decimal(scale=9)
# Exchange rates: up to 12 decimals, strictly positive.
EXCHANGE_RATE = decimal(
    scale=12,
    arrow=RATE,
    minimum=0,
    exclusive=True,
    code="non_positive_rate",
    reason_class=ReasonClass.BUSINESS_RULE,
)
