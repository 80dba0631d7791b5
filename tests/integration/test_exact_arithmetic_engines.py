"""The exact money macros (macros/exact_arithmetic.sql, functional_currency.sql) give the same
whole numbers on DuckDB (128-bit HUGEINT) and on Spark (DECIMAL(38, 0)), and both equal Python's
`decimal` arithmetic, on the edge cases the demo world does not reach: negatives, half ties of
both parities, every minor-unit count, amounts at the top of decimal(38, 9), tiny and large rates.
The macros are rendered by dbt (`dbt show --inline` on each target), not copied here."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from pathlib import Path

import duckdb
import pytest

from orchestration.dbt_project import run_dbt
from orchestration.spark_check import require_spark

pytestmark = pytest.mark.spark

TOP = Decimal("99999999999999999999999999999.999999999")  # the largest decimal(38, 9)
# (its rounding to a minor unit would not fit decimal(38, 9): the cases stay one unit below;
# at 3 or 4 minor units Spark converts amounts below 10^24: functional_currency.sql)

# (numerator, denominator): whole numbers, numerator any sign for half-even, >= 0 for floor
DIVISIONS = [
    (0, 7), (25, 10), (35, 10), (-25, 10), (-35, 10), (15, 10), (-15, 10), (26, 10), (-26, 10),
    (7, 2), (5, 2), (-5, 2), (1, 3), (2, 3), (-2, 3), (10**19 + 1, 2), (10**19 - 1, 10**9),
    (12345678901234567890123456789, 10**9), (99999999999999999999999999999999999999, 10**18),
    (10**37 + 5 * 10**17, 10**18), (10**37 + 15 * 10**17, 10**18), (98765432109876543210, 86400),
    (123456789 * 10**10, 2592000), (2**63 + 1, 10**9),
]  # fmt: skip

# (amount, exchange rate, functional minor units): amounts up to decimal(38, 9)'s top
CONVERSIONS = [
    (Decimal("0"), Decimal("1.1"), 2),
    (Decimal("10.005"), Decimal("1"), 2),
    (Decimal("10.015"), Decimal("1"), 2),
    (Decimal("-10.005"), Decimal("1"), 2),
    (Decimal("-10.015"), Decimal("1"), 2),
    (Decimal("1234.56"), Decimal("0.009123456789"), 0),
    (Decimal("1234.56"), Decimal("151.234567890123"), 0),
    (Decimal("0.000000001"), Decimal("0.5"), 4),
    (Decimal("0.5"), Decimal("1"), 0),
    (Decimal("1.5"), Decimal("1"), 0),
    (Decimal("-2.5"), Decimal("1"), 0),
    (Decimal("1000.0005"), Decimal("1.000000000001"), 3),
    (Decimal("77.77"), Decimal("0.000000000001"), 4),
    (Decimal("99999999999999999999999999998.99"), Decimal("1"), 2),
    (Decimal("-99999999999999999999999999998.99"), Decimal("1"), 2),
    (TOP, Decimal("0.5"), 2),
    (Decimal("-999999999999999999999.9999"), Decimal("1.5"), 4),
    (Decimal("12345678901234567.123456789"), Decimal("0.85"), 2),
    (Decimal("999999999999999999.999999999"), Decimal("1234.123456789012"), 2),
]


def half_even(numerator: int, denominator: int) -> int:
    quotient, remainder = divmod(abs(numerator), denominator)
    if 2 * remainder > denominator or (2 * remainder == denominator and quotient % 2 == 1):
        quotient += 1
    return -quotient if numerator < 0 else quotient


def functional(amount: Decimal, rate: Decimal, minor_units: int) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 80
        exact = (amount * rate).quantize(Decimal(1).scaleb(-minor_units), rounding=ROUND_HALF_EVEN)
    return exact


def _whole(value: int) -> str:
    return f"cast('{value}' as decimal(38, 0))"


def query() -> str:
    divisions = " union all ".join(
        f"select 'div' as kind, {_whole(n)} as n, {_whole(d)} as d, "
        f"cast(null as decimal(38, 9)) as amount, cast(null as decimal(38, 12)) as rate, "
        f"cast(null as integer) as minor_units"
        for n, d in DIVISIONS
    )
    conversions = " union all ".join(
        f"select 'fx', cast(null as decimal(38, 0)), cast(null as decimal(38, 0)), "
        f"cast('{a}' as decimal(38, 9)), cast('{r}' as decimal(38, 12)), {m}"
        for a, r, m in CONVERSIONS
    )
    nonneg = "case when n >= 0 then n end"
    return f"""
        with cases as ({divisions} union all {conversions})
        select
            kind,
            cast(n as string) as n,
            cast(d as string) as d,
            cast(amount as string) as amount,
            cast(rate as string) as rate,
            minor_units,
            cast({{{{ div_half_even('n', 'd') }}}} as string) as half_even,
            cast({{{{ div_floor("{nonneg}", 'd') }}}} as string) as floor_by_column,
            cast({{{{ div_floor("{nonneg}", '1000000000') }}}} as string) as floor_by_billion,
            cast({{{{ mod_int("{nonneg}", 'd') }}}} as string) as remainder,
            cast({{{{ scaled_int('amount', 9) }}}} as string) as amount_nano,
            cast(
                {{{{ to_functional_half_even('amount', 'rate', 'minor_units') }}}} as string
            ) as functional
        from cases
    """


def show(target: str, data_dir: Path) -> list[dict]:
    done = run_dbt(
        data_dir, "--quiet", "show", "--inline", query(), "--output", "json", "--limit", "-1",
        target=target,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    return json.loads(done.stdout[done.stdout.index("{") :])["show"]


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict]]:
    require_spark()
    data_dir = tmp_path_factory.mktemp("exact-engines")
    duckdb.connect(str(data_dir / "warehouse.duckdb")).close()  # dbt-duckdb opens, never creates
    return {target: show(target, data_dir) for target in ("local", "spark")}


def normalized(row: dict) -> dict:
    """Numbers as Decimals: Spark prints small decimals in exponent form (0E-9), DuckDB plainly."""
    return {k: v if k == "kind" or v is None else Decimal(str(v)) for k, v in row.items()}


def _key(row: dict) -> tuple:
    return tuple((row[k] is None, row[k] or 0) for k in ("n", "d", "amount", "rate", "minor_units"))


def test_both_engines_give_the_same_whole_numbers(results: dict[str, list[dict]]) -> None:
    duck = sorted(map(normalized, results["local"]), key=_key)
    spark = sorted(map(normalized, results["spark"]), key=_key)
    assert len(duck) == len(DIVISIONS) + len(CONVERSIONS)
    differing = [(d, s) for d, s in zip(duck, spark, strict=True) if d != s]
    assert differing == []


@pytest.mark.parametrize("target", ["local", "spark"])
def test_each_engine_equals_decimal_arithmetic(results: dict[str, list[dict]], target: str) -> None:
    with localcontext() as ctx:
        ctx.prec = 80  # 38-digit values times 10^9
        for row in results[target]:
            if row["kind"] == "div":
                n, d = int(row["n"]), int(row["d"])
                assert int(row["half_even"]) == half_even(n, d), row
                if n >= 0:
                    assert int(row["floor_by_column"]) == n // d, row
                    assert int(row["floor_by_billion"]) == n // 10**9, row
                    assert int(row["remainder"]) == n % d, row
            else:
                amount, rate = Decimal(row["amount"]), Decimal(row["rate"])
                assert int(row["amount_nano"]) == int(amount.scaleb(9)), row
                expected = functional(amount, rate, row["minor_units"])
                assert Decimal(row["functional"]) == expected, row
