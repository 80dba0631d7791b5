"""Column kinds shared by the CRM tables."""

from __future__ import annotations

from sources.csv_fields import enum, identifier, pattern

SYSTEM = "crm"

ACCOUNT_ID = identifier("ACC-")
CONTRACT_ID = identifier("CTR-")
AMENDMENT_ID = identifier("AMD-")
BUSINESS_TRANSACTION_ID = identifier("BTX-")
STRIPE_CUSTOMER_ID = identifier("cus_")
STRIPE_SUBSCRIPTION_ID = identifier("sub_")

REGION = enum("us-east", "eu-west", "ap-northeast")
# The NetSuite subsidiary's `tranprefix` (US01, UK01, NL01, JP01). Only the shape is checked
# here: which entities exist is reference data (erp subsidiary), checked downstream.
LEGAL_ENTITY = pattern(r"[A-Z]{2}[0-9]{2}", "bad_legal_entity", "a legal entity code like 'US01'")
PLAN_CODE = enum("starter", "growth", "enterprise")
METRIC = enum("api_calls", "storage_bytes", "seats")
