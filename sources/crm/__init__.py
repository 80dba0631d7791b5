"""CRM / CPQ landing contracts: accounts, contracts, contract amendments, price terms (CSV).

Each module documents its file: prefix, columns with landed types, required columns, key,
rules and an example. Landing adds batch_id, file_name, line_number and landed_at.
"""

from __future__ import annotations

from sources.crm import accounts, contract_amendments, contract_price_terms, contracts
from sources.landing import TableContract
from sources.readers import csv_reader

SYSTEM = "crm"
SUFFIXES = (".csv", ".csv.gz")
MODULES = (accounts, contracts, contract_amendments, contract_price_terms)

CONTRACTS: list[TableContract] = [
    TableContract(
        system=SYSTEM,
        table=module.TABLE,
        schema=module.SCHEMA,
        validate=module.validate,
        reader=csv_reader(module.COLUMNS, module.REQUIRED),
        suffixes=SUFFIXES,
        prefix=module.TABLE,
    )
    for module in MODULES
]
