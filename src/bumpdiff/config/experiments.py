"""Every experiment ``bumpdiff run`` knows, declared once: its name (the config's ``experiment``),
the report page's title and template, the config sections its Method table shows, the summary
file it writes into the run folder and whether it trains a seed list of its own.

The rest of the package reads these declarations: the config's ``experiment`` field takes its
allowed values from them, the report its template, title and Method sections, a sweep the
experiments whose seed goes into ``<name>.seeds``; ``bumpdiff.experiments.EXPERIMENTS`` gives each
declared name its entry points (a test keeps the two equal).
"""

from __future__ import annotations

from dataclasses import dataclass

# The sections every experiment's Method table shows; the rest are added per experiment.
COMMON_SECTIONS = ("data", "model", "diffusion", "train", "sample", "eval")


@dataclass(frozen=True)
class Declaration:
    """One experiment (module docstring)."""

    name: str
    title: str  # the report page's title, after "bumpdiff · "
    sections: tuple[str, ...]  # config sections beyond COMMON_SECTIONS its Method table shows
    summary: str  # the summary file it writes in the run folder
    own_seeds: bool = False  # trains ``<name>.seeds``: a sweep's seed goes into that list

    @property
    def template(self) -> str:
        """The Jinja2 template of its report page (report/templates/)."""
        return f"{self.name}.html.j2"

    @property
    def method_sections(self) -> tuple[str, ...]:
        return (*COMMON_SECTIONS, *self.sections)


DECLARATIONS: tuple[Declaration, ...] = (
    Declaration("phases", "phases", ("probe", "phase", "trajectory"), "phases.json"),
    Declaration(
        "imbalanced", "imbalanced data", ("probe", "phase", "imbalanced"), "coupling.json", True
    ),
    Declaration("samplers", "sampler study", ("probe", "samplers"), "samplers.json"),
    Declaration("percolation", "percolation", ("percolation",), "percolation.json", True),
    Declaration("torus", "periodic canvas (torus)", ("probe", "torus"), "torus.json"),
    Declaration("compose", "composition", ("compose",), "compose.json", True),
    Declaration("interpolate", "interpolation", ("probe", "interpolate"), "interpolate.json", True),
    Declaration("efficiency", "sample efficiency", ("efficiency",), "efficiency.json", True),
    Declaration(
        "calibration",
        "phase-rule calibration",
        ("probe", "phase", "calibration"),
        "calibration.json",
        True,
    ),
    Declaration(
        "probe_draws", "probe draws", ("probe", "phase", "probe_draws"), "probe-draws.json"
    ),
)

EXPERIMENT_NAMES: tuple[str, ...] = tuple(d.name for d in DECLARATIONS)


def declared(name: str) -> Declaration:
    """The declaration of experiment ``name``; KeyError when there is none (the config's
    ``experiment`` field allows only declared names)."""
    return {d.name: d for d in DECLARATIONS}[name]
