"""Job names, shared by the CLI, the definitions and the sensor.

- u2c_all: land, build, check, export and publish everything (`u2c run`, `u2c demo`).
- land_inbox: the landing step alone (the inbox sensor's job).
"""

ALL_JOB = "u2c_all"
LANDING_JOB = "land_inbox"
