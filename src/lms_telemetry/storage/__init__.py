"""Storage: one interface, with DuckDB as the default engine."""
