"""Pin the asset graph: a change to it is a decision, made in this file too."""

from __future__ import annotations

from pathlib import Path

RAW = {
    "usage/events",
    *(
        f"billing/{t}"
        for t in (
            "customers",
            "products",
            "prices",
            "price_tiers",
            "subscriptions",
            "subscription_items",
            "invoices",
            "invoice_lines",
            "credit_notes",
            "credit_note_lines",
            "credit_note_refunds",
            "invoice_payments",
            "charges",
            "refunds",
            "balance_transactions",
            "meter_events",
        )
    ),
    *(f"crm/{t}" for t in ("accounts", "contracts", "contract_amendments", "contract_price_terms")),
    *(
        f"erp/{t}"
        for t in (
            "subsidiary",
            "currency",
            "accountingperiod",
            "account",
            "customer",
            "customersubsidiaryrelationship",
            "consolidatedexchangerate",
            "transaction",
            "transactionline",
            "transactionaccountingline",
        )
    ),
    "landing/batches",
    "landing/quarantine",
}
SEEDS = {"currencies", "meters", "gl_mapping_rules", "erp_transaction_types", "journal_rules"}
STAGING = {
    "staging/stg_usage__events",
    # the lake's copy of the export ledger, written by the ERP journal export
    "staging/stg_exports__ledger_lines",
    "staging/stg_landing__batches",
    "staging/stg_landing__quarantine_rows",
    *(
        f"staging/stg_billing__{t}"
        for t in (
            "customers",
            "products",
            "prices",
            "price_tiers",
            "subscriptions",
            "subscription_items",
            "invoices",
            "invoice_lines",
            "credit_notes",
            "credit_note_lines",
            "credit_note_refunds",
            "invoice_payments",
            "charges",
            "refunds",
            "balance_transactions",
            "meter_events",
        )
    ),
    *(
        f"staging/stg_crm__{t}"
        for t in ("accounts", "contracts", "contract_amendments", "contract_price_terms")
    ),
    *(
        f"staging/stg_erp__{t}"
        for t in (
            "subsidiaries",
            "currencies",
            "accounting_periods",
            "accounts",
            "customers",
            "customer_subsidiary_relationships",
            "exchange_rates",
            "transactions",
            "transaction_lines",
            "transaction_accounting_lines",
        )
    ),
}
INTERMEDIATE = {
    f"intermediate/{m}"
    for m in (
        "int_meters",
        "int_usage_subjects",
        "int_usage_events_deduplicated",
        "int_usage_events_metered",
        "int_usage_by_batch",
        "int_usage_arrival_lags",
        "int_usage_batches_classified",
        "int_usage_segments_classified",
        "int_billing_customers_mapped",
        "int_erp_customers_resolved",
        "int_balance_transactions_converted",
        "int_usage_tiers_rated",
        "int_billing_periods",
        "int_platform_fee_lines_expected",
        "int_invoice_lines_expected",
        "int_invoice_lines_keyed",
        "int_invoice_lines_compared",
        "int_revenue_lines_allocated",
        "int_billing_documents_converted",
        "int_erp_documents_summarized",
        "int_gl_lines_mapped",
        "int_exchange_rates_by_period",
        "int_journal_entries_derived",
        "int_revenue_schedule",
        "int_journal_billing_document_lines",
        "int_journal_payment_document_lines",
        "int_journal_documents",
        "int_journal_revenue_source_lines",
        "int_journal_revenue_recognition",
        "int_journal_realized_fx",
        "int_revenue_accruals",
        "int_journal_lines_posted",
        "int_billing_charges_linked",
        "int_gl_accounts_postable",
        "int_fiscal_periods_open",
        "int_journal_line_sides",
        "int_journal_balances",
        "int_reconciliation_rows",
        "int_posting_periods",
        "int_document_legal_entities",
        "int_unmapped_identities",
        "int_unmapped_catalog",
        "int_unmapped_billing",
        "int_unmapped_erp",
        "int_unmapped_usage",
        "int_erp_accounting_lines_joined",
        "int_billing_periods_accrued",
        "int_usage_billing_paired",
    )
}
MARTS = {
    f"marts/{m}"
    for m in (
        "usage_daily",
        "usage_by_period",
        "customers",
        "subscriptions",
        "legal_entities",
        "fiscal_periods",
        "unmapped_records",
        "invoices",
        "invoice_lines",
        "credit_notes",
        "payments",
        "refunds",
        "gl_lines",
        "ops_landing_batches",
        "ops_quarantine",
        "ops_usage_duplicates",
        "ops_usage_unmetered",
        "ops_source_health",
        "rated_usage",
        "rated_usage_tiers",
        "expected_invoice_lines",
        "invoice_line_comparison",
        "revenue_schedule",
        "deferred_revenue",
        "rec_billing_erp",
        "rec_payments_cash",
        "rec_adjustments_erp",
        "rec_usage_billing",
        "rec_usage_meters",
        "rec_exports_erp",
        "rec_summary",
        "journal_lines",
        "journals_held",
    )
}
DOWNSTREAM = {
    "exports/usage_daily",
    "exports/erp_journals",
    "exports/close_report",
    "published/marts",
}
UNPARTITIONED_MARTS = {
    f"marts/{m}"
    for m in (
        "customers",
        "subscriptions",
        "legal_entities",
        "fiscal_periods",
        "invoices",
        "invoice_lines",
        "credit_notes",
        "payments",
        "refunds",
        "gl_lines",
        "ops_landing_batches",
        "ops_quarantine",
    )
}
UNPARTITIONED_INTERMEDIATE = {
    "int_billing_customers_mapped",
    "int_billing_charges_linked",
    "int_balance_transactions_converted",
    "int_erp_customers_resolved",
    "int_meters",
    "int_usage_subjects",
    "int_gl_accounts_postable",
    "int_fiscal_periods_open",
    "int_posting_periods",
    "int_document_legal_entities",
    "int_unmapped_identities",
    "int_unmapped_catalog",
    "int_unmapped_billing",
    "int_unmapped_erp",
    "int_erp_accounting_lines_joined",
}
INTERMEDIATE_BY_PERIOD = (
    {m.removeprefix("intermediate/") for m in INTERMEDIATE}
    - UNPARTITIONED_INTERMEDIATE
    - {
        "int_usage_events_deduplicated",
        "int_usage_events_metered",
        "int_usage_by_batch",
        "int_usage_arrival_lags",
        "int_unmapped_usage",
    }
)
# partitioned by UTC day / by billing month; everything else is not partitioned
USAGE_DAY = {
    "intermediate/int_usage_events_deduplicated",
    "intermediate/int_usage_events_metered",
    "intermediate/int_usage_by_batch",
    "intermediate/int_usage_arrival_lags",
    "intermediate/int_unmapped_usage",
    "marts/usage_daily",
    "marts/ops_usage_unmetered",
    "marts/unmapped_records",
    "marts/ops_usage_duplicates",
    "marts/ops_source_health",
}


def test_asset_graph_is_pinned(defs_data_dir: Path):
    from dagster import AssetKey

    from expectations.dbt_rules import accepted_values
    from orchestration.definitions import defs
    from orchestration.defs.dbt import dbt_project
    from orchestration.defs.quality import (
        REC_GATES,
        REC_WARNINGS,
        gx_journal_lines,
        gx_usage_daily,
    )

    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert keys == RAW | SEEDS | STAGING | INTERMEDIATE | MARTS | DOWNSTREAM

    def parents(key: str) -> set[str]:
        return {p.to_user_string() for p in graph.get(AssetKey.from_user_string(key)).parent_keys}

    assert parents("staging/stg_usage__events") == {"usage/events"}
    assert parents("staging/stg_billing__invoice_lines") == {"billing/invoice_lines"}
    # the ledger: repeated keys are ranked by their file's delivery time
    assert parents("intermediate/int_usage_events_deduplicated") == {
        "staging/stg_usage__events",
        "staging/stg_landing__batches",
    }
    # metering reads the meters and the identity map; usage_daily reads the metered events
    assert parents("intermediate/int_usage_events_metered") == {
        "intermediate/int_usage_events_deduplicated",
        "intermediate/int_meters",
        "intermediate/int_usage_subjects",
    }
    assert parents("marts/usage_daily") == {
        "intermediate/int_usage_events_metered",
        "marts/subscriptions",
    }
    assert parents("exports/usage_daily") == {"marts/usage_daily"}
    assert parents("exports/erp_journals") == {
        "marts/journal_lines",
        "marts/legal_entities",
        "marts/fiscal_periods",
        "intermediate/int_posting_periods",
        "marts/customers",
        "marts/ops_landing_batches",
    }
    assert parents("marts/ops_source_health") == {
        "staging/stg_landing__batches",
        "staging/stg_landing__quarantine_rows",
        "intermediate/int_usage_arrival_lags",
    }
    # the period models read usage summed per batch and day, not every event
    assert parents("marts/usage_by_period") == {
        "intermediate/int_usage_batches_classified",
        "marts/subscriptions",
        "staging/stg_crm__contract_price_terms",
        "marts/fiscal_periods",
    }
    assert parents("intermediate/int_usage_batches_classified") >= {
        "intermediate/int_usage_by_batch"
    }
    assert parents("marts/rec_usage_meters") >= {
        "intermediate/int_usage_batches_classified",
        "staging/stg_billing__meter_events",
    }
    assert "intermediate/int_usage_events_deduplicated" not in parents(
        "intermediate/int_usage_segments_classified"
    )
    assert parents("published/marts") == MARTS | {"exports/erp_journals"}
    # every raw table is produced by the one landing step
    landing = {
        k.to_user_string()
        for k in graph.get(AssetKey(["usage", "events"])).execution_set_asset_keys
    }
    assert landing == RAW

    checks = {(c.asset_key.to_user_string(), c.name) for c in graph.asset_check_keys}
    assert ("marts/usage_daily", "gx_usage_daily") in checks
    assert [spec.blocking for spec in gx_usage_daily.check_specs] == [True]
    assert ("marts/journal_lines", "gx_journal_lines") in checks
    assert [spec.blocking for spec in gx_journal_lines.check_specs] == [True]
    # the gate reads the dbt views that carry the dbt tests of the same rules
    [gate_spec] = gx_journal_lines.check_specs
    assert {d.asset_key.to_user_string() for d in gate_spec.additional_deps} == {
        "intermediate/int_journal_line_sides",
        "intermediate/int_journal_balances",
        "intermediate/int_gl_accounts_postable",
        "intermediate/int_fiscal_periods_open",
    }
    assert parents("intermediate/int_journal_balances") == {"marts/journal_lines"}
    assert (
        "intermediate/int_journal_balances",
        "expression_is_true_int_journal_balances_imbalance_0_and_functional_imbalance_0",
    ) in checks
    # each reconciliation mart: a blocking GX gate, and a non-blocking warning on open variances
    rec_marts = {
        "rec_usage_billing",
        "rec_billing_erp",
        "rec_payments_cash",
        "rec_adjustments_erp",
        "rec_usage_meters",
    }
    assert set(REC_GATES) == set(REC_WARNINGS) == rec_marts
    for mart in rec_marts:
        assert (f"marts/{mart}", f"gx_{mart}") in checks
        assert [spec.blocking for spec in REC_GATES[mart].check_specs] == [True]
        assert (f"marts/{mart}", f"{mart}_open_variances") in checks
        assert [spec.blocking for spec in REC_WARNINGS[mart].check_specs] == [False]
        # its statuses: the accepted_values of the mart's dbt column_rules test (the manifest)
        assert "matched" in accepted_values(dbt_project.manifest_path, mart, "status")
    gx_checks = {name for _, name in checks if name.startswith("gx_")}
    assert gx_checks == {"gx_usage_daily", "gx_journal_lines"} | {f"gx_{m}" for m in rec_marts}
    # dbt tests arrive as checks too
    assert ("marts/usage_daily", "column_rules_usage_daily") in checks
    assert ("marts/invoices", "column_rules_invoices") in checks
    assert parents("exports/close_report") == {"exports/erp_journals", "marts/rec_summary"}
    # what was sent to the ERP is read after the export: the confirmation and the summary with it
    assert parents("staging/stg_exports__ledger_lines") == {"exports/erp_journals"}
    assert parents("marts/rec_exports_erp") >= {
        "staging/stg_exports__ledger_lines",
        "marts/gl_lines",
    }
    # the summary totals the six reconciliations' rows, gathered in one view built with it
    assert parents("marts/rec_summary") == {
        "intermediate/int_reconciliation_rows",
        "staging/stg_landing__batches",
    }
    assert "marts/rec_exports_erp" in parents("intermediate/int_reconciliation_rows")


def test_partitions_are_pinned(defs_data_dir: Path):
    """Usage models by day, billing models by month, no unpartitioned model downstream of a
    partitioned one (a daily run would leave it stale), dbt once per range."""
    from dagster import BackfillPolicy

    from orchestration.definitions import defs
    from orchestration.partitions import billing_periods, usage_days

    graph = defs.resolve_asset_graph()
    by_key = {k.to_user_string(): graph.get(k) for k in graph.get_all_asset_keys()}
    daily = {k for k, node in by_key.items() if node.partitions_def == usage_days}
    monthly = {k for k, node in by_key.items() if node.partitions_def == billing_periods}
    assert daily == USAGE_DAY
    assert monthly == (
        {f"intermediate/{m}" for m in INTERMEDIATE_BY_PERIOD}
        | (MARTS - USAGE_DAY - UNPARTITIONED_MARTS)
        | {"exports/erp_journals", "exports/close_report", "staging/stg_exports__ledger_lines"}
    )
    for key in daily | monthly:
        node = by_key[key]
        assert node.backfill_policy == BackfillPolicy.single_run(), key
        # nothing unpartitioned below a partitioned model, except the publish and the snapshot
        for child in node.child_keys:
            name = child.to_user_string()
            assert by_key[name].partitions_def is not None or name in {
                "published/marts",
                "exports/usage_daily",
            }, (key, name)
    jobs = {
        name: defs.resolve_job_def(name)
        for name in ("land_inbox", "refresh_usage", "refresh_periods", "close_period")
    }
    assert jobs["land_inbox"].partitions_def is None
    assert jobs["refresh_usage"].partitions_def == usage_days
    assert jobs["refresh_periods"].partitions_def == billing_periods
    assert jobs["close_period"].partitions_def == billing_periods
    selected = {
        name: {k.to_user_string() for k in job.asset_layer.executable_asset_keys}
        for name, job in jobs.items()
    }
    assert "exports/erp_journals" in selected["close_period"]
    assert "exports/erp_journals" not in selected["refresh_periods"]
    assert "published/marts" in selected["refresh_periods"]
    assert selected["refresh_usage"] >= USAGE_DAY


def test_code_location_loads_from_a_plain_shell(tmp_path: Path):
    """No venv on PATH, a fresh data dir: `dagster definitions validate` finds dbt beside the
    interpreter and parses the project itself (no 'dbt executable not found on PATH')."""
    import subprocess
    import sys

    dagster = str(Path(sys.executable).parent / "dagster")
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "U2C_DATA_DIR": str(tmp_path / "data"),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
    }
    (tmp_path / "dagster_home").mkdir()
    validated = subprocess.run(
        [dagster, "definitions", "validate", "-m", "orchestration.definitions"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = validated.stdout + validated.stderr
    assert validated.returncode == 0, output[-3000:]
    assert "All code locations passed validation" in output
    assert (tmp_path / "data" / "dbt" / "target" / "manifest.json").exists()


def test_every_asset_has_a_group_a_description_and_owners(defs_data_dir: Path):
    """What the Dagster UI shows on the asset graph: groups by layer and area, each asset
    described and owned."""
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    nodes = {k.to_user_string(): graph.get(k) for k in graph.get_all_asset_keys()}
    groups = {key: node.group_name for key, node in nodes.items()}
    assert set(groups.values()) == {
        "landing",
        "reference_data",
        "staging",
        "intermediate",
        "marts_core",
        "marts_finance",
        "marts_reconciliation",
        "marts_ops",
        "exports",
        "publish",
    }
    assert groups["marts/rec_summary"] == "marts_reconciliation"
    assert groups["intermediate/int_journal_entries_derived"] == "intermediate"
    assert groups["currencies"] == "reference_data"
    undescribed = sorted(k for k, node in nodes.items() if not (node.description or "").strip())
    assert undescribed == []
    unowned = sorted(k for k, node in nodes.items() if not node.owners)
    assert unowned == []
    assert nodes["marts/rec_summary"].owners == ["team:finance-systems"]
    assert nodes["usage/events"].owners == ["team:data-platform"]
