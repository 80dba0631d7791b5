"""Late usage has a value, end to end on the default world: the late_usage row of the answer key
carries, as unbilled exposure, what its contract would have billed for the late usage (the period
rated on all its usage minus rated on its on-time usage, recomputed here with the demo billing
platform's own rating functions), in transaction and functional currency, and rec_summary adds
it up."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from pathlib import Path

import duckdb

from demo_world import rating
from sources.currencies import minor_units


def one(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> dict:
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    [row] = cursor.fetchall()
    return dict(zip(names, row, strict=True))


def price_term(con: duckdb.DuckDBPyConnection, amendment_id: str, metric: str) -> rating.PriceTerm:
    tiers = con.execute(
        "select pricing_model, up_to, unit_price, coalesce(flat_fee, 0), included_units"
        " from staging.stg_crm__contract_price_terms"
        " where amendment_id = ? and metric = ? order by tier",
        [amendment_id, metric],
    ).fetchall()
    divisor, rounding = con.execute(
        "select unit_divisor, rounding from main.meters where metric = ?", [metric]
    ).fetchone()
    return rating.PriceTerm(
        metric=metric,
        pricing_model=tiers[0][0],
        tiers=tuple(
            rating.Tier(None if up_to is None else int(up_to), Decimal(price), Decimal(fee))
            for _, up_to, price, fee, _ in tiers
        ),
        included_units=int(tiers[0][4] or 0),
        unit_divisor=int(divisor),
        rounding=rounding,
    )


def test_late_usage_is_valued_as_its_contract_would_have_billed_it(default_world: Path):
    answers = json.loads((default_world / "answer_key.json").read_text())
    late = [e["key"] for e in answers if e["anomaly"] == "late_usage"]
    assert late
    with duckdb.connect(str(default_world / "warehouse.duckdb"), read_only=True) as con:
        for key in late:
            params = [key["subscription_id"], key["metric"], key["billing_period"]]
            row = one(
                con,
                "select * from marts.rec_usage_billing"
                " where subscription_id = ? and metric = ? and billing_period = ?",
                params,
            )
            assert row["status"] == "late_usage" and row["late_technical_quantity"] > 0
            segments = con.execute(
                "select amendment_id, rated_technical_quantity, metered_quantity"
                " from marts.rated_usage"
                " where subscription_id = ? and metric = ? and billing_period = ?",
                params,
            ).fetchall()
            currency = row["currency"]
            value = 0
            for amendment_id, on_time, metered in segments:
                term = price_term(con, amendment_id, key["metric"])
                value += rating.rate_usage(int(metered), term, currency)[1]
                value -= rating.rate_usage(int(on_time), term, currency)[1]
            assert value > 0
            assert row["unbilled_exposure"] == rating.to_major(value, currency)
            functional = Fraction(value, rating.scale(currency)) * Fraction(row["exchange_rate"])
            digits = minor_units(row["functional_currency"])
            expected_functional = (
                Decimal(functional.numerator) / Decimal(functional.denominator)
            ).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_EVEN)
            assert row["unbilled_exposure_functional"] == expected_functional
            # the variance still compares the invoice with the on-time usage it could bill
            assert row["variance"] == 0
            summary = one(
                con,
                "select sum(unbilled_exposure) as amount,"
                " sum(unbilled_exposure_functional) as amount_functional"
                " from marts.rec_summary where reconciliation = 'rec_usage_billing'"
                " and legal_entity = ? and fiscal_period = ? and currency = ?",
                [row["legal_entity"], row["fiscal_period"], currency],
            )
            assert summary["amount"] >= row["unbilled_exposure"] > 0
        total = con.execute(
            "select sum(unbilled_exposure), count(*) filter (where unbilled_exposure <> 0)"
            " from marts.rec_usage_billing"
        ).fetchone()
        assert total[1] == len(late)  # only late usage is exposure
        assert (
            con.execute("select sum(unbilled_exposure) from marts.rec_summary").fetchone()[0]
            == total[0]
        )
