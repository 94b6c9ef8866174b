"""Simulated visitors of the example site: patrons, librarians, admins, IT, bots.

Sessions drive the site over real HTTP, so the back end's events are real,
and send the events the pages would send to the telemetry service.
"""

from examples.opac.simulation.runner import SimulationSummary, run_simulation

__all__ = ["SimulationSummary", "run_simulation"]
