"""Stripe Billing meter events of the demo world: the company also reports its API requests to
a Stripe meter (`event_name` api_requests, formula sum), one meter event per subscription and
day with the day's requests, as Stripe's API returns `billing.meter_event` objects. The meters
seed names that Stripe meter for api_calls (stripe_event_name), so rec_usage_meters compares
the two; with anomalies on, one day of one subscription is never reported to Stripe.
"""

from __future__ import annotations

import calendar as calendar_module
from datetime import date, datetime, time, timedelta

from demo_world.anomalies import Plan
from demo_world.usage import UsageResult
from demo_world.world import World

EVENT_NAME = "api_requests"


def _unix(moment: datetime) -> int:
    return calendar_module.timegm(moment.timetuple())


def meter_event_objects(world: World, plan: Plan, usage: UsageResult) -> list[dict]:
    """One meter event per subscription and day with API requests; the planned gap left out."""
    objects = []
    for (sub_id, day), requests in sorted(usage.api_requests_by_day.items()):
        if (sub_id, day) == plan.missing_meter_event:
            continue
        sub = world.by_id[sub_id]
        moment = datetime.combine(day, time(23, 59, 59))
        objects.append(
            {
                "object": "billing.meter_event",
                "created": _unix(moment + timedelta(minutes=5)),
                "event_name": EVENT_NAME,
                "identifier": world.ids.stripe("mev", sub_id, day.isoformat(), length=20),
                "livemode": False,
                "payload": {"stripe_customer_id": sub.customer.stripe_id, "value": str(requests)},
                "timestamp": _unix(moment),
            }
        )
    return objects


def missing_day_requests(plan: Plan, usage: UsageResult) -> tuple[str, date, int] | None:
    """(subscription, day, requests) of the day never reported, when there is one."""
    if plan.missing_meter_event is None:
        return None
    sub_id, day = plan.missing_meter_event
    requests = usage.api_requests_by_day.get((sub_id, day))
    return None if requests is None else (sub_id, day, requests)
