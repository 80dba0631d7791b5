"""Who answers for each asset, as the Dagster UI shows it (dbt models: `meta.dagster.owners` in
dbt_project.yml). The data platform team runs landing and the warehouse; finance systems own the
reference data, the finance and reconciliation marts and what goes to the ERP; analytics owns
the analysts' copy."""

DATA_PLATFORM = "team:data-platform"
FINANCE_SYSTEMS = "team:finance-systems"
ANALYTICS = "team:analytics"
