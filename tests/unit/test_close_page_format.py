"""How the close report page shows amounts: exposures are money, and a transaction-currency
amount keeps its own currency's minor units inside another currency's entity."""

from __future__ import annotations

from decimal import Decimal

from exports.close_page import Table, render_table


def test_exposure_columns_are_money_in_their_own_currency():
    table = Table(
        ["currency", "late_quantity", "unbilled_exposure", "unbilled_exposure_functional"],
        [
            {
                "currency": "USD",
                "late_quantity": Decimal("53.000000000"),
                "unbilled_exposure": Decimal("26.500000000"),
                "unbilled_exposure_functional": Decimal("3975.000000000"),
            },
            {
                "currency": "KWD",
                "late_quantity": Decimal("0E-9"),
                "unbilled_exposure": Decimal("0E-9"),
                "unbilled_exposure_functional": Decimal("0E-9"),
            },
        ],
        {
            "late_quantity": "quantity",
            "unbilled_exposure": "amount",
            "unbilled_exposure_functional": "amount",
        },
    )
    html = render_table(table, 0, "usage", "none")  # a JPY entity: no minor units
    assert ">26.50<" in html  # USD to the cent, not the entity's whole yen
    assert ">3,975<" in html  # the functional amount in yen
    assert ">0.000<" in html  # KWD's three decimals
    assert ">53<" in html  # a quantity is a plain number


def test_a_functional_exposure_column_is_an_amount_by_its_name():
    from exports.close_page import _number_kind

    assert _number_kind("unbilled_exposure_functional", "DECIMAL(38,9)") == "amount"
    assert _number_kind("late_quantity", "DECIMAL(38,9)") == "quantity"
