"""ERP landing contracts: NetSuite2 SuiteAnalytics extracts as CSV (subsidiary, currency,
accountingperiod, account, customer, customersubsidiaryrelationship, consolidatedexchangerate,
transaction, transactionline, transactionaccountingline).

Each module documents its file: prefix, columns with landed types, required columns, key,
rules and an example. Landing adds batch_id, file_name, line_number and landed_at. Every table
is read through `_sync.reader` (sync columns, deletion extracts: `_sync.py`).
"""

from __future__ import annotations

from sources.erp import (
    _sync,
    account,
    accountingperiod,
    consolidatedexchangerate,
    currency,
    customer,
    customersubsidiaryrelationship,
    subsidiary,
    transaction,
    transactionaccountingline,
    transactionline,
)
from sources.landing import TableContract

SYSTEM = "erp"
SUFFIXES = (".csv", ".csv.gz")
MODULES = (
    subsidiary,
    currency,
    accountingperiod,
    account,
    customer,
    customersubsidiaryrelationship,
    consolidatedexchangerate,
    transaction,
    transactionline,
    transactionaccountingline,
)

CONTRACTS: list[TableContract] = [
    TableContract(
        system=SYSTEM,
        table=module.TABLE,
        schema=module.SCHEMA,
        validate=module.validate,
        reader=_sync.reader(module.TABLE, module.FIELDS, module.KEY),
        suffixes=SUFFIXES,
        prefix=module.TABLE,
    )
    for module in MODULES
]
