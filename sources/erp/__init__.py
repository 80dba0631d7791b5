"""ERP landing contracts: NetSuite2 SuiteAnalytics extracts as CSV (subsidiary, currency,
accountingperiod, account, customer, customersubsidiaryrelationship, consolidatedexchangerate,
transaction, transactionline, transactionaccountingline).

Each table's columns (landed type, required, rule, description) are its spec,
`sources/specs/erp/<table>.json` (`sources/table_spec.py`); its module documents the file:
prefix, the column table rendered from the spec, key, rules across columns and an example.
Landing adds batch_id, file_name, line_number and landed_at. Every table
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
        table=module.SPEC.table,
        schema=_sync.lake_schema(module.SPEC),
        validate=module.validate,
        reader=_sync.reader(module.SPEC),
        suffixes=SUFFIXES,
        prefix=module.SPEC.table,
    )
    for module in MODULES
]
