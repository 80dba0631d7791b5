"""Landing contracts for the billing system: Stripe API objects as JSON lines.

One module per object type (its docstring is the contract); `CONTRACTS` lists them for the
registry. Files: `inbox/billing/<prefix>[._-]….jsonl[.gz]`, one object per line. Nested lists
land as child tables: invoice_lines, credit_note_lines, credit_note_refunds, subscription_items,
price_tiers. Every landed object also keeps its JSON line as delivered in a `payload` column
(string), so keys no contract types (new API fields, expanded objects) are kept in raw, and
never reject a row.
"""

from __future__ import annotations

from sources.billing import (
    balance_transactions,
    charges,
    credit_notes,
    customers,
    invoice_payments,
    invoices,
    meter_events,
    prices,
    products,
    refunds,
    subscriptions,
)
from sources.billing._common import SYSTEM
from sources.landing import TableContract


def _contract(module, children: dict | None = None) -> TableContract:
    return TableContract(
        system=SYSTEM,
        table=module.TABLE,
        schema=module.SCHEMA,
        validate=module.validate,
        prefix=module.TABLE,
        children=children or {},
        # the object as delivered: keys the contract does not type stay in raw
        payload_column="payload",
    )


CONTRACTS: list[TableContract] = [
    _contract(customers),
    _contract(products),
    _contract(prices, {prices.TIERS_TABLE: prices.TIERS_SCHEMA}),
    _contract(subscriptions, {subscriptions.ITEMS_TABLE: subscriptions.ITEMS_SCHEMA}),
    _contract(invoices, {invoices.LINES_TABLE: invoices.LINES_SCHEMA}),
    _contract(
        credit_notes,
        {
            credit_notes.LINES_TABLE: credit_notes.LINES_SCHEMA,
            credit_notes.REFUNDS_TABLE: credit_notes.REFUNDS_SCHEMA,
        },
    ),
    _contract(invoice_payments),
    _contract(charges),
    _contract(refunds),
    _contract(balance_transactions),
    _contract(meter_events),
]

# The contract modules whose columns come from a spec (`sources/specs/billing/`); all but
# invoices read every column through the spec (`_fields.py`).
SPEC_MODULES = [
    customers,
    products,
    invoice_payments,
    charges,
    refunds,
    balance_transactions,
    meter_events,
    subscriptions,
    prices,
    credit_notes,
    invoices,
]

__all__ = ["CONTRACTS", "SPEC_MODULES"]
