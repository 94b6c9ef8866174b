"""Examples that show lms-telemetry in use."""
