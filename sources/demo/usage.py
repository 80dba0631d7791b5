"""Usage events of the demo world as CloudEvents JSON lines, one inbox file per day.

About 1% of events are re-delivered (same `source` and `id`, same payload), as a real
at-least-once pipeline does; the pipeline must count each of them once.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, time, timedelta
from pathlib import Path

from sources.demo.world import METRICS, World

REDELIVERY_RATE = 0.01


def event_lines_for_day(world: World, day_index: int, events_per_day: int) -> list[str]:
    rng = random.Random(world.seed * 100_003 + day_index)
    day = world.start + timedelta(days=day_index)
    midnight = datetime.combine(day, time())
    metrics = list(METRICS)
    lines = []
    for n in range(events_per_day):
        sub = rng.choice(world.subscriptions)
        metric = rng.choice(metrics)
        typical = METRICS[metric][1]
        quantity = 1 if metric == "seats" else rng.randint(1, 2 * typical)
        occurred = midnight + timedelta(microseconds=rng.randrange(86_400_000_000))
        event = {
            "specversion": "1.0",
            "id": f"evt_{day.strftime('%Y%m%d')}_{n:08d}",
            "source": f"//platform.example.com/{sub.region}/metering",
            "type": "com.example.usage.recorded",
            "subject": sub.subscription_id,
            "time": occurred.isoformat(timespec="milliseconds") + "Z",
            "datacontenttype": "application/json",
            "data": {
                "metric": metric,
                "quantity": quantity,
                "subscription": sub.subscription_id,
                "customer": sub.customer_id,
                "plan_tier": sub.plan_tier,
                "region": sub.region,
                "contract_version": sub.contract_version,
            },
        }
        line = json.dumps(event, separators=(",", ":"))
        lines.append(line)
        if rng.random() < REDELIVERY_RATE:
            lines.append(line)
    return lines


def write_usage(world: World, inbox: Path, events_per_day: int) -> list[Path]:
    folder = inbox / "usage"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for day_index in range(world.days):
        day = world.start + timedelta(days=day_index)
        path = folder / f"events_{day.isoformat()}.jsonl"
        path.write_text("\n".join(event_lines_for_day(world, day_index, events_per_day)) + "\n")
        written.append(path)
    return written
