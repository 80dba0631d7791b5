"""The demo world's cast: customers and their subscriptions, derived from a seed."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

REGIONS = ("us-east", "eu-west", "ap-northeast")
PLAN_TIERS = ("starter", "growth", "enterprise")
# metric -> (technical unit, typical quantity per event)
METRICS = {"api_calls": ("call", 40), "storage_bytes": ("byte", 5_000_000), "seats": ("seat", 1)}
DEFAULT_START = date(2026, 9, 1)


@dataclass(frozen=True)
class Subscription:
    subscription_id: str
    customer_id: str
    plan_tier: str
    region: str
    contract_version: int


@dataclass(frozen=True)
class World:
    seed: int
    start: date
    days: int
    subscriptions: tuple[Subscription, ...]


def build_world(seed: int, customers: int, days: int, start: date = DEFAULT_START) -> World:
    rng = random.Random(seed)
    subscriptions = tuple(
        Subscription(
            subscription_id=f"sub_{n:05d}",
            customer_id=f"cus_{n:05d}",
            plan_tier=rng.choice(PLAN_TIERS),
            region=rng.choice(REGIONS),
            contract_version=1,
        )
        for n in range(1, customers + 1)
    )
    return World(seed=seed, start=start, days=days, subscriptions=subscriptions)
