"""Experiments: assignment, exposure and analysis."""
