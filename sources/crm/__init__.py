"""CRM / CPQ landing contracts: accounts, contracts, contract amendments, price terms (CSV).

Each table's columns (landed type, required, rule, description) are its spec,
`sources/specs/crm/<table>.json` (`sources/table_spec.py`); its module documents the file:
prefix, the column table rendered from the spec, key, rules across columns and an example.
Landing adds batch_id, file_name, line_number and landed_at.
"""

from __future__ import annotations

from sources import table_spec
from sources.crm import accounts, contract_amendments, contract_price_terms, contracts
from sources.landing import TableContract
from sources.readers import csv_reader

SYSTEM = "crm"
SUFFIXES = (".csv", ".csv.gz")
MODULES = (accounts, contracts, contract_amendments, contract_price_terms)

CONTRACTS: list[TableContract] = [
    TableContract(
        system=SYSTEM,
        table=module.SPEC.table,
        schema=table_spec.schema(module.SPEC),
        validate=module.validate,
        reader=csv_reader(module.SPEC.column_names, module.SPEC.required),
        suffixes=SUFFIXES,
        prefix=module.SPEC.table,
    )
    for module in MODULES
]
