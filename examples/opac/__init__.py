"""A small instrumented library site (OPAC and staff client) and its simulator."""
