"""lms-telemetry: telemetry and usage analytics for library management systems."""

__version__ = "0.1.0"
