"""Job names, shared by the CLI, the definitions, the schedules and the sensor. What each job
materializes is in `orchestration.definitions`.

- land_inbox: the landing step alone (the inbox sensor's job).
- refresh_usage (UTC days): landing, the unpartitioned models (staging, dimensions), the usage
  models of the partition's days, the usage snapshot export.
- refresh_periods (billing months): rating, journals, reconciliation with their gates, and the
  analysts' publish; never an ERP export (nightly and intra-day).
- close_period (billing months): the same, then the ERP journal export and the close report of
  the periods (month-end close; `u2c run` ends with it).
"""

LANDING_JOB = "land_inbox"
USAGE_JOB = "refresh_usage"
PERIODS_JOB = "refresh_periods"
CLOSE_JOB = "close_period"
