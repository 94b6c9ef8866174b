"""Pure statistics for experiment analysis: no I/O."""
