"""The jobs: what each kind of run materializes. Dagster only wires; names are used by the CLI,
the schedules and the sensor.

- land_inbox: the landing step alone (the inbox sensor's job).
- refresh_usage (UTC days): landing, the unpartitioned models (staging, core dimensions) and the
  usage models for the partition's days, then the usage snapshot export.
- refresh_periods (billing months): rating, journals, reconciliation and the analysts' publish,
  no ERP export (nightly and intra-day).
- close_period (billing months): the same plus the ERP journal export and the close report of
  the period (month-end close; also what `u2c run` ends with).
"""

LANDING_JOB = "land_inbox"
USAGE_JOB = "refresh_usage"
PERIODS_JOB = "refresh_periods"
CLOSE_JOB = "close_period"
