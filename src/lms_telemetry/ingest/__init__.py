"""The ingestion path: decoding, limits, validation, enrichment, spool and loader."""
