"""A product that has never heard of usage-to-cash: OpenMeter's public sample events dropped in
the inbox (tests/fixtures/real/usage/openmeter_events.jsonl, beside the CloudEvents spec's
examples and Stripe's reference meter event), its meters described in the one meters file
(OpenMeter's quickstart meters, written as seed rows), and a CRM contract for one of its
customers: the usage shows in usage_daily, is rated against the contract, and what cannot be
counted is listed with its reason, never dropped. Each public sample's outcome, event by event,
is asserted here: landed and what each meter made of it, or the exact quarantine reason."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from sources.landing import land_inbox
from sources.registry import CONTRACTS
from tests.integration.conftest import dbt_build

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "fixtures" / "real" / "usage"

# OpenMeter's quickstart/config.yaml meters, as rows of the meters seed
METERS = """\
metric,valid_from,valid_to,event_type,filters,value_path,aggregation,group_by,subject_path,billable,unit,commercial_unit,unit_divisor,rounding,sku,stripe_event_name,stripe_aggregation,description
api_requests_total,2020-01-01,,request,,,COUNT,$.method;$.route,,true,request,request,1,up,,,,API Requests
api_requests_duration,2020-01-01,,request,,$.duration_ms,SUM,$.method;$.route,,true,ms,ms,1,up,,,,API Request Duration
tokens_total,2020-01-01,,prompt,,$.tokens,SUM,$.model;$.type,,true,token,token,1,up,,,,AI Token Usage
"""  # noqa: E501

# customer-1 is a CRM account: its contract prices requests at 0.05 USD and tokens at 0.002
CRM = {
    "accounts": [
        "account_id,account_name,parent_account_id,billing_country,region,legal_entity,currency,"
        "stripe_customer_id,netsuite_customer_id,created_at",
        "customer-1,Customer One Inc.,,US,us-east,US01,USD,cus_OM0001,5001,2026-01-05T10:00:00Z",
    ],
    "contracts": [
        "contract_id,account_id,contract_number,status,start_date,end_date,currency,legal_entity,"
        "billing_subscription_id,signed_at",
        "CTR-OM1,customer-1,C-OM-1,active,2026-09-01,2027-08-31,USD,US01,sub_OM0001,"
        "2026-08-20T10:00:00Z",
    ],
    "contract_amendments": [
        "amendment_id,contract_id,business_transaction_id,contract_version,amendment_type,"
        "effective_from,effective_to,plan_code,platform_fee,minimum_commitment,currency,"
        "legal_entity,region,signed_at",
        "AMD-OM1,CTR-OM1,BTX-OM1,1,new,2026-09-01,,usage,0.00,0.00,USD,US01,us-east,"
        "2026-08-20T10:00:00Z",
    ],
    "contract_price_terms": [
        "amendment_id,metric,pricing_model,tier,up_to,unit_price,flat_fee,included_units,"
        "unit_divisor,rounding,overage_allowed,plan_limit",
        "AMD-OM1,api_requests_total,per_unit,1,,0.05,0.00,,1,up,true,",
        "AMD-OM1,tokens_total,per_unit,1,,0.002,0.00,,1,up,true,",
        "AMD-OM1,gpu_hours,per_unit,1,,1.20,0.00,,1,up,true,",  # priced, but no meter yet
    ],
}


# public sample -> where it is delivered in the inbox
SAMPLES = {
    "openmeter_events.jsonl": ("usage", "events.jsonl"),
    "cloudevents_json_format_examples.jsonl": ("usage", "cloudevents_examples.jsonl"),
    "stripe_meter_events.jsonl": ("billing", "meter_events.jsonl"),
}
REQUEST = {("api_requests_duration", "metered"), ("api_requests_total", "metered")}
NO_METER = {(None, "no_meter")}
# per sample, per line: the quarantine reason, or each meter's (metric, meter_status) of the event
# (int_usage_events_metered); for a Stripe meter event, its rec_usage_meters status
OUTCOMES = {
    "openmeter_events.jsonl": [
        "missing_field",  # the quickstart curl event has no `time`
        REQUEST,
        REQUEST,
        REQUEST,  # customer-2: metered on its key as sent, listed as unmapped usage
        {("tokens_total", "metered")},
        {("tokens_total", "value_missing")},  # the OpenAPI example has no data
    ],
    "cloudevents_json_format_examples.jsonl": [
        "bad_data_base64",  # the spec's placeholder text is not Base64
        NO_METER,
        NO_METER,
        "conflicting_duplicate",  # the spec reuses the id C234-1234-1234 with another payload
        NO_METER,
        "missing_field",  # no `time`
    ],
    "stripe_meter_events.jsonl": ["unmapped"],  # no meter reports to `ai_search_api`
}


@pytest.fixture(scope="module")
def product_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("new_product")
    for system in ("usage", "crm", "billing"):
        (out / "inbox" / system).mkdir(parents=True)
    for sample, (system, name) in SAMPLES.items():
        shutil.copy(CORPUS / sample, out / "inbox" / system / name)
    for table, lines in CRM.items():
        (out / "inbox" / "crm" / f"{table}.csv").write_text("\n".join(lines) + "\n")
    results = land_inbox(out / "inbox", out / "lake", CONTRACTS)
    # OpenMeter's quickstart event without `time`, and three of the CloudEvents examples
    assert sum(r.rows_quarantined for r in results) == 4
    project = out / "dbt_project"
    shutil.copytree(
        ROOT / "dbt_project",
        project,
        ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"),
    )
    (project / "seeds" / "meters.csv").write_text(METERS)
    return dbt_build(out, project=project)


def query(out: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(out / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_the_products_events_are_metered_per_the_meters_file(product_world: Path):
    rows = query(
        product_world,
        "select subscription_id, metric, usage_date, quantity, event_count, dimensions"
        " from marts.usage_daily order by all",
    )
    day = rows[0][2]
    assert [(s, m, q, n) for s, m, _, q, n, _ in rows] == [
        ("customer-2", "api_requests_duration", Decimal(5), 1),  # unknown key: kept as sent
        ("customer-2", "api_requests_total", Decimal(1), 1),
        ("sub_OM0001", "api_requests_duration", Decimal(87), 1),
        ("sub_OM0001", "api_requests_duration", Decimal(412), 1),
        ("sub_OM0001", "api_requests_total", Decimal(1), 1),
        ("sub_OM0001", "api_requests_total", Decimal(1), 1),
        ("sub_OM0001", "tokens_total", Decimal(100), 1),
    ]
    assert str(day) == "2026-09-14"
    # group-by values are the dimensions (the seeder sends `path`, not `route`: null)
    dims = {r[5] for r in rows if r[0] == "sub_OM0001" and r[1] == "api_requests_total"}
    assert dims == {'{"method":"GET","route":null}', '{"method":"POST","route":null}'}


def test_usage_is_rated_against_the_crm_contract(product_world: Path):
    rated = query(
        product_world,
        "select metric, billing_period, rated_quantity, expected_amount, contract_version,"
        " rating_status from marts.rated_usage where subscription_id = 'sub_OM0001' order by 1",
    )
    assert rated == [
        ("api_requests_duration", "2026-09", Decimal(499), Decimal(0), 1, "no_price_terms"),
        ("api_requests_total", "2026-09", Decimal(2), Decimal("0.10"), 1, "rated"),
        ("tokens_total", "2026-09", Decimal(100), Decimal("0.20"), 1, "rated"),
    ]
    # the account's contract gives plan, region and version: nothing came from the events
    [(plan, region, version)] = query(
        product_world,
        "select distinct s.plan_code, u.region, u.contract_version from marts.usage_daily as u"
        " join marts.subscriptions as s using (subscription_id)",
    )
    assert (plan, region, version) == ("usage", "us-east", 1)


def test_what_cannot_be_counted_is_listed_not_dropped(product_world: Path):
    unmetered = query(
        product_world,
        "select event_type, metric, reason, sum(event_count) from marts.ops_usage_unmetered"
        " group by all order by all",
    )
    # the OpenAPI example prompt has no data: tokens_total cannot read its value; no meter reads
    # the CloudEvents examples' type
    assert unmetered == [
        ("com.example.someevent", None, "no_meter", 3),
        ("prompt", "tokens_total", "value_missing", 1),
    ]
    unmapped = query(
        product_world,
        "select record_id, reason from marts.unmapped_records"
        " where system = 'usage' or record_type = 'price_term' order by all",
    )
    assert unmapped == [
        ("AMD-OM1 gpu_hours", "price_terms_metric_without_meter"),
        ("customer-2", "usage_for_unknown_subscription"),
    ]


def test_each_public_sample_is_landed_and_metered_or_has_its_reason(product_world: Path):
    lake = product_world / "lake"
    quarantined = {
        (row["file_name"], row["line_number"]): row["reason_code"]
        for path in (lake / "quarantine").rglob("*.parquet")
        if not path.name.startswith("_")
        for row in pq.read_table(path).to_pylist()
    }
    metering: dict[tuple[str, str], set] = {}
    for source, event_id, metric, status in query(
        product_world,
        "select event_source, event_id, metric, meter_status"
        " from intermediate.int_usage_events_metered",
    ):
        metering.setdefault((source, event_id), set()).add((metric, status))
    stripe = dict(
        query(product_world, "select stripe_event_name, status from marts.rec_usage_meters")
    )
    for sample, expected in OUTCOMES.items():
        name = SAMPLES[sample][1]
        lines = (CORPUS / sample).read_text().splitlines()
        assert len(lines) == len(expected), sample
        for number, (line, outcome) in enumerate(zip(lines, expected, strict=True), start=1):
            event = json.loads(line)
            if (name, number) in quarantined:
                got = quarantined[name, number]
            elif sample == "stripe_meter_events.jsonl":
                got = stripe.get(event["event_name"])
            else:
                got = metering.get((event["source"], event["id"]))
            assert got == outcome, (sample, number)
