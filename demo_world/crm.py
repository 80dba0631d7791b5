"""CRM extracts of the demo world: accounts, contracts, amendments and their price terms.

Money in major units with the currency's precision (`1249.00`, JPY `150000`); unit prices may
carry more decimals than the currency (`0.1185`). Timestamps RFC 3339 UTC with `Z`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from demo_world import catalog
from demo_world.calendar import add_months
from demo_world.world import World
from sources.currencies import minor_units

COLUMNS: dict[str, list[str]] = {
    "accounts": [
        "account_id", "account_name", "parent_account_id", "billing_country", "region",
        "legal_entity", "currency", "stripe_customer_id", "netsuite_customer_id", "created_at",
    ],
    "contracts": [
        "contract_id", "account_id", "contract_number", "status", "start_date", "end_date",
        "currency", "legal_entity", "billing_subscription_id", "signed_at",
    ],
    "contract_amendments": [
        "amendment_id", "contract_id", "business_transaction_id", "contract_version",
        "amendment_type", "effective_from", "effective_to", "plan_code", "platform_fee",
        "minimum_commitment", "currency", "legal_entity", "region", "signed_at",
    ],
    "contract_price_terms": [
        "amendment_id", "metric", "pricing_model", "tier", "up_to", "unit_price", "flat_fee",
        "included_units", "unit_divisor", "rounding", "overage_allowed", "plan_limit",
    ],
}  # fmt: skip


def rfc3339(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def money(amount: Decimal, currency: str) -> str:
    digits = minor_units(currency)
    return f"{amount.quantize(Decimal(1).scaleb(-digits)):f}"


def unit_price(amount: Decimal, currency: str) -> str:
    """At least the currency's precision, more when the price needs it (0.1185)."""
    digits = max(minor_units(currency), -amount.normalize().as_tuple().exponent)
    return f"{amount.quantize(Decimal(1).scaleb(-digits)):f}"


def build_crm(world: World) -> dict[str, list[list[object]]]:
    accounts, contracts, amendments, terms = [], [], [], []
    for sub in world.subscriptions:
        c = sub.customer
        currency, entity = c.currency, c.entity
        accounts.append(
            [c.account_id, c.name, c.parent_account_id, c.country, c.region, entity.code,
             currency, c.stripe_id, c.netsuite_id, rfc3339(c.created_at)]
        )  # fmt: skip
        end = add_months(sub.start, 12) - timedelta(days=1)
        contracts.append(
            [sub.contract_id, c.account_id, sub.contract_number, "active", sub.start.isoformat(),
             end.isoformat(), currency, entity.code, sub.id, rfc3339(sub.created_at)]
        )  # fmt: skip
        for v in sub.versions:
            amendments.append(
                [v.amendment_id, sub.contract_id, v.business_transaction_id, v.version,
                 v.amendment_type, v.effective_from.isoformat(),
                 v.effective_to.isoformat() if v.effective_to else "", v.plan,
                 money(catalog.platform_fee(v.plan, currency), currency),
                 money(catalog.minimum_commitment(v.plan, currency), currency), currency,
                 entity.code, c.region, rfc3339(v.signed_at)]
            )  # fmt: skip
            for metric, term in catalog.price_terms(v.plan, currency).items():
                for tier_number, tier in enumerate(term.tiers, start=1):
                    terms.append(
                        [v.amendment_id, metric, term.pricing_model, tier_number,
                         "" if tier.up_to is None else tier.up_to,
                         unit_price(tier.unit_price, currency), money(tier.flat_fee, currency),
                         term.included_units if tier_number == 1 else "", term.unit_divisor,
                         term.rounding, "true", ""]
                    )  # fmt: skip
    return {
        "accounts": accounts,
        "contracts": contracts,
        "contract_amendments": amendments,
        "contract_price_terms": terms,
    }
