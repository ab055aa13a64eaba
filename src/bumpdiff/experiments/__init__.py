"""One module per study; ``EXPERIMENTS`` maps the config's ``experiment`` to its runner."""

from bumpdiff.experiments import imbalanced, phases

EXPERIMENTS = {"phases": phases.main, "imbalanced": imbalanced.main}
REPORTS = {"phases": phases.write_phases_report, "imbalanced": imbalanced.write_imbalanced_report}
