"""One module per study; ``EXPERIMENTS`` maps the config's ``experiment`` to its runner."""

from bumpdiff.experiments import phases

EXPERIMENTS = {"phases": phases.main}
REPORTS = {"phases": phases.write_phases_report}
