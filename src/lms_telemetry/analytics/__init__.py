"""Reports: one module per report, each with its SQL beside it."""
