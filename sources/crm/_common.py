"""Column kinds shared by the CRM tables."""

from __future__ import annotations

from sources.csv_fields import enum, identifier, pattern

SYSTEM = "crm"

# The CRM's own account ids (ACC-0001, a Salesforce 0015g00000XyZ12AAB, customer-1): usage
# events may name the account by it (the meters' usage key), so any such id is accepted.
ACCOUNT_ID = pattern(
    r"[A-Za-z0-9][A-Za-z0-9_.:-]*", "bad_identifier", "an account id of letters, digits, _ . : -"
)
CONTRACT_ID = identifier("CTR-")
AMENDMENT_ID = identifier("AMD-")
BUSINESS_TRANSACTION_ID = identifier("BTX-")
STRIPE_CUSTOMER_ID = identifier("cus_")
STRIPE_SUBSCRIPTION_ID = identifier("sub_")

REGION = enum("us-east", "eu-west", "ap-northeast")
# The NetSuite subsidiary's `tranprefix` (US01, UK01, NL01, JP01). Only the shape is checked
# here: which entities exist is reference data (erp subsidiary), checked downstream.
LEGAL_ENTITY = pattern(r"[A-Z]{2}[0-9]{2}", "bad_legal_entity", "a legal entity code like 'US01'")
# Plans and metrics are the company's own: a code each (the meters seed names the metrics;
# price terms for a metric no meter measures are listed in unmapped_records).
PLAN_CODE = pattern(r"[a-z0-9][a-z0-9_-]*", "bad_plan_code", "a plan code like 'growth'")
METRIC = pattern(r"[a-z][a-z0-9_]*", "bad_metric", "a metric code like 'api_calls'")
