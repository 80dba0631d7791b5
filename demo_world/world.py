"""The demo world's cast: legal entities, customers, their contracts and subscriptions.

Built from the seed only. Every customer has one contract (CRM) = one subscription (Stripe),
starting on the first of the start month on version 1 of the contract. A few subscriptions
change plan mid-month in the last invoiced month (upgrades, and one downgrade): a new contract
version with its own business transaction id, effective from 00:00 UTC of its date. A few
invoices get an ordinary credit note. `Casting` records which subscription plays which role,
so the injected discrepancies (anomalies.py) land on subscriptions nothing else touches.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from demo_world.calendar import Calendar, add_months, at, month_key
from demo_world.catalog import PLANS
from demo_world.ids import Ids

LAYOUT_PRE_2025 = "pre_2025"
LAYOUT_2025 = "2025_03_31"


@dataclass(frozen=True)
class Entity:
    """A legal entity = a NetSuite subsidiary; `code` is its tranprefix (CRM legal_entity)."""

    code: str
    subsidiary_id: int
    name: str
    country: str
    currency: str
    region: str
    tax_rate: Decimal
    customer_countries: tuple[str, ...]
    company_form: str


ENTITIES: tuple[Entity, ...] = (
    Entity("US01", 1, "Example Inc.", "US", "USD", "us-east", Decimal("0"), ("US",), "Inc."),
    Entity("UK01", 2, "Example Ltd", "GB", "GBP", "eu-west", Decimal("0.20"), ("GB",), "Ltd"),
    Entity(
        "NL01", 3, "Example B.V.", "NL", "EUR", "eu-west", Decimal("0.21"), ("NL", "DE"), "B.V."
    ),
    Entity(
        "JP01", 4, "Example K.K.", "JP", "JPY", "ap-northeast", Decimal("0.10"), ("JP",), "K.K."
    ),
)
ENTITY_BY_CODE = {e.code: e for e in ENTITIES}
ENTITY_SHARES = {"US01": 0.40, "UK01": 0.20, "NL01": 0.25, "JP01": 0.15}
PLAN_SHARES = {"starter": 0.40, "growth": 0.40, "enterprise": 0.20}
# NetSuite currency ids (the spec's list).
CURRENCY_IDS = {"USD": 1, "GBP": 2, "EUR": 3, "JPY": 4}
CURRENCY_NAMES = {"USD": "US Dollar", "GBP": "British Pound", "EUR": "Euro", "JPY": "Japanese Yen"}

_NAME_HEADS = (
    "Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne", "Tyrell",
    "Cyberdyne", "Soylent", "Wonka", "Gringotts", "Oscorp", "Aperture", "Massive", "Monarch",
    "Nakatomi", "Pied Piper", "Sirius", "Virtucon", "Zorg", "Dunder", "Bluth", "Prestige",
    "Octan", "Gekko", "Duff", "Kramerica", "Rekall",
)  # fmt: skip
_NAME_TAILS = (
    "Analytics", "Logistics", "Health", "Robotics", "Media", "Labs", "Foods", "Energy",
    "Systems", "Retail", "Finance", "Mobility", "Studios", "Networks", "Biotech",
)  # fmt: skip


@dataclass(frozen=True)
class Customer:
    number: int  # 1-based
    account_id: str  # CRM ACC-0001
    name: str
    email: str
    country: str
    entity: Entity
    currency: str  # billing currency, upper-case ISO 4217
    stripe_id: str
    netsuite_id: int
    parent_account_id: str | None
    created_at: datetime
    layout: str  # the Stripe API version its objects come in
    size: float  # relative usage volume

    @property
    def region(self) -> str:
        return self.entity.region


@dataclass(frozen=True)
class ContractVersion:
    version: int
    amendment_id: str
    business_transaction_id: str
    amendment_type: str  # new, upgrade, downgrade
    plan: str
    effective_from: date
    effective_to: date | None  # exclusive; None = open-ended
    signed_at: datetime

    @property
    def starts_at(self) -> datetime:
        return at(self.effective_from)


@dataclass(frozen=True)
class Subscription:
    stripe_id: str
    customer: Customer
    contract_id: str
    contract_number: str
    created_at: datetime  # = the contract's signature
    start: date  # first of the start month: billing cycle anchor
    versions: tuple[ContractVersion, ...]

    @property
    def id(self) -> str:
        return self.stripe_id

    @property
    def currency(self) -> str:
        return self.customer.currency

    def version_at(self, moment: datetime) -> ContractVersion:
        current = self.versions[0]
        for version in self.versions:
            if version.starts_at <= moment:
                current = version
        return current

    def changes_within(self, start: datetime, end: datetime) -> list[ContractVersion]:
        """Versions that take effect strictly inside (start, end)."""
        return [v for v in self.versions[1:] if start < v.starts_at < end]


@dataclass(frozen=True)
class CreditNotePlan:
    """A credit note to issue against the invoice of `subscription_id` for `month`."""

    subscription_id: str
    month: date
    issued_at: datetime
    effective_at: datetime
    kind: str  # "usage_share": 20% of the largest usage line; "platform_fee": the fee line
    reason: str
    anomaly: str | None = None


class Casting:
    """Which subscription plays which role, so no two roles disturb each other's rows.

    A role claims resources (e.g. `invoice:2026-09`, `usage:2026-08:api_calls`) of one
    subscription; a claim with a group may share the resource with claims of the same group
    only. Among eligible subscriptions the one with the fewest roles is chosen (ties: a
    seeded order), so with enough customers every role gets a subscription of its own.
    """

    def __init__(self, subscriptions: Sequence[Subscription], rng: random.Random) -> None:
        order = [s.id for s in subscriptions]
        rng.shuffle(order)
        self._order = order
        self._claims: dict[str, dict[str, str | None]] = {s: {} for s in order}
        self.roles: dict[str, list[str]] = {s: [] for s in order}

    def cast(
        self,
        role: str,
        claims: dict[str, str | None],
        subscriptions: dict[str, Subscription],
        eligible: Callable[[Subscription], bool] = lambda s: True,
        exclude: Iterable[str] = (),
    ) -> Subscription | None:
        excluded = set(exclude)
        best: str | None = None
        for sub_id in self._order:
            if sub_id in excluded or not eligible(subscriptions[sub_id]):
                continue
            held = self._claims[sub_id]
            if any(r in held and (held[r] is None or held[r] != g) for r, g in claims.items()):
                continue
            if best is None or len(self.roles[sub_id]) < len(self.roles[best]):
                best = sub_id
        if best is None:
            return None
        self._claims[best].update(claims)
        self.roles[best].append(role)
        return subscriptions[best]


@dataclass
class World:
    seed: int
    calendar: Calendar
    ids: Ids
    customers: tuple[Customer, ...]
    subscriptions: tuple[Subscription, ...]
    credit_notes: list[CreditNotePlan]
    casting: Casting = field(repr=False)

    _index: tuple[int, dict[str, Subscription]] | None = field(default=None, repr=False)

    @property
    def by_id(self) -> dict[str, Subscription]:
        if self._index is None or self._index[0] != id(self.subscriptions):
            self._index = (id(self.subscriptions), {s.id: s for s in self.subscriptions})
        return self._index[1]

    def cast(self, role: str, claims: dict[str, str | None], **kwargs) -> Subscription | None:
        return self.casting.cast(role, claims, self.by_id, **kwargs)


def quota(count: int, shares: dict[str, float]) -> list[str]:
    """`count` labels in proportion to `shares` (largest remainder), in label order."""
    exact = {label: count * share for label, share in shares.items()}
    counts = {label: int(value) for label, value in exact.items()}
    rest = sorted(shares, key=lambda label: (-(exact[label] - counts[label]), label))
    for label in rest[: count - sum(counts.values())]:
        counts[label] += 1
    return [label for label in shares for _ in range(counts[label])]


def invoice_resource(month: date) -> str:
    return f"invoice:{month_key(month)}"


def usage_resource(month: date, metric: str) -> str:
    return f"usage:{month_key(month)}:{metric}"


def build_world(seed: int, customers: int, calendar: Calendar) -> World:
    rng = random.Random(seed * 7_919 + 1)
    ids = Ids(seed)
    entities = quota(customers, ENTITY_SHARES)
    rng.shuffle(entities)
    plans = quota(customers, PLAN_SHARES)
    rng.shuffle(plans)
    nl = [n for n, code in enumerate(entities) if code == "NL01"]
    usd_billed = set(nl[: min(3, len(nl) // 3 + (1 if len(nl) >= 2 else 0))])
    # Documents in a currency that is neither the entity's nor the parent's (USD): the ERP has no
    # rate for the pair, the pipeline converts through USD. The last UK01 customer is billed in
    # EUR, and with three or more NL01 customers billed in EUR the last of them in GBP.
    uk = [n for n, code in enumerate(entities) if code == "UK01"]
    cross_billed = {uk[-1]: "EUR"} if len(uk) >= 2 else {}
    nl_eur = [n for n in nl if n not in usd_billed]
    if len(nl_eur) >= 3:
        cross_billed[nl_eur[-1]] = "GBP"

    cast: list[Customer] = []
    subs: list[Subscription] = []
    amendment_seq = 0
    for n in range(customers):
        number = n + 1
        entity = ENTITY_BY_CODE[entities[n]]
        name = (
            f"{_NAME_HEADS[n % len(_NAME_HEADS)]} "
            f"{_NAME_TAILS[(n * 7 + n // len(_NAME_HEADS)) % len(_NAME_TAILS)]}"
        )
        if n >= len(_NAME_HEADS):
            name += f" {n // len(_NAME_HEADS) + 1}"
        parent = None
        if customers >= 6 and n in (customers - 1, customers - 2):
            siblings = [c for c in cast if c.entity == entity and c.parent_account_id is None]
            if siblings:
                parent = siblings[0].account_id
                name = f"{siblings[0].name.rsplit(' ', 1)[0]} {entity.country} subsidiary"
        slug = "".join(ch for ch in name.lower() if ch.isalnum())[:24]
        created = at(calendar.start - timedelta(days=rng.randint(60, 400)), rng.randint(8, 18))
        created += timedelta(minutes=rng.randint(0, 59))
        customer = Customer(
            number=number,
            account_id=f"ACC-{number:04d}",
            name=f"{name} {entity.company_form}",
            email=f"billing@{slug}.example",
            country=entity.customer_countries[rng.randrange(len(entity.customer_countries))],
            entity=entity,
            currency="USD" if n in usd_billed else cross_billed.get(n, entity.currency),
            stripe_id=ids.stripe("cus", number),
            netsuite_id=1000 + number,
            parent_account_id=parent,
            created_at=created,
            layout=LAYOUT_PRE_2025 if number % 2 else LAYOUT_2025,
            size=round(rng.uniform(0.3, 1.7), 2),
        )
        cast.append(customer)
        signed = at(calendar.first_month - timedelta(days=rng.randint(3, 20)), rng.randint(9, 17))
        amendment_seq += 1
        first = ContractVersion(
            version=1,
            amendment_id=f"AMD-{amendment_seq:04d}",
            business_transaction_id=f"BTX-{seed:03d}{amendment_seq:06d}",
            amendment_type="new",
            plan=plans[n],
            effective_from=calendar.first_month,
            effective_to=None,
            signed_at=signed,
        )
        subs.append(
            Subscription(
                stripe_id=ids.stripe("sub", number),
                customer=customer,
                contract_id=f"CTR-{number:04d}",
                contract_number=f"C-{calendar.first_month.year}-{number:04d}",
                created_at=signed,
                start=calendar.first_month,
                versions=(first,),
            )
        )

    world = World(
        seed=seed,
        calendar=calendar,
        ids=ids,
        customers=tuple(cast),
        subscriptions=tuple(subs),
        credit_notes=[],
        casting=Casting(subs, random.Random(seed * 7_919 + 2)),
    )
    _plan_changes(world, rng, amendment_seq)
    _ordinary_credit_notes(world, rng)
    return world


def _plan_changes(world: World, rng: random.Random, amendment_seq: int) -> None:
    """A few upgrades and one downgrade in the last invoiced month."""
    calendar, count = world.calendar, len(world.subscriptions)
    if not calendar.invoiced_months or count < 4:
        return
    month = calendar.invoiced_months[-1]
    next_month = add_months(month, 1)
    earliest = max(month + timedelta(days=4), calendar.start + timedelta(days=1))
    latest = min(month + timedelta(days=24), next_month - timedelta(days=2))
    if earliest > latest:
        return
    moves = ["upgrade"] * min(3, max(1, count // 10)) + ["downgrade"]
    changed: dict[str, Subscription] = {}
    for kind in moves:
        step = 1 if kind == "upgrade" else -1

        def eligible(s: Subscription, step: int = step) -> bool:
            return 0 <= PLANS.index(s.versions[0].plan) + step < len(PLANS) and (
                step > 0 or s.versions[0].plan == "enterprise"
            )

        sub = world.cast(kind, {invoice_resource(month): None}, eligible=eligible)
        if sub is None:
            continue
        old = sub.versions[0]
        new_plan = PLANS[PLANS.index(old.plan) + step]
        when = earliest + timedelta(days=rng.randint(0, (latest - earliest).days))
        amendment_seq += 1
        new = ContractVersion(
            version=2,
            amendment_id=f"AMD-{amendment_seq:04d}",
            business_transaction_id=f"BTX-{world.seed:03d}{amendment_seq:06d}",
            amendment_type=kind,
            plan=new_plan,
            effective_from=when,
            effective_to=None,
            signed_at=at(when - timedelta(days=3), rng.randint(9, 17), rng.randint(0, 59)),
        )
        changed[sub.id] = dataclasses.replace(
            sub, versions=(dataclasses.replace(old, effective_to=when), new)
        )
    world.subscriptions = tuple(changed.get(s.id, s) for s in world.subscriptions)


def _ordinary_credit_notes(world: World, rng: random.Random) -> None:
    """Business as usual: a few credit notes (with refunds) on paid invoices."""
    calendar, count = world.calendar, len(world.subscriptions)
    if not calendar.invoiced_months:
        return
    first, last = calendar.invoiced_months[0], calendar.invoiced_months[-1]
    wanted = [(first, 9, "usage_share", "product_unsatisfactory")]
    if count >= 12:
        wanted.append((first, 11, "platform_fee", "order_change"))
    if count >= 20 and last != first:
        wanted.append((last, 3, "usage_share", "product_unsatisfactory"))
    for month, after_days, kind, reason in wanted:
        issued = calendar.finalized_at(month) + timedelta(
            days=after_days, hours=rng.randint(6, 12), minutes=rng.randint(0, 59)
        )
        if issued > calendar.extracted_at - timedelta(days=2):
            continue
        sub = world.cast(f"credit_note:{reason}", {invoice_resource(month): None})
        if sub is None:
            continue
        world.credit_notes.append(
            CreditNotePlan(sub.id, month, issued, issued, kind=kind, reason=reason)
        )
