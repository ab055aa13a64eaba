"""The one shape of every experiment and the resume rule they share.

An experiment is three steps over a run folder, each re-runnable alone:
- ``train``: train every model the experiment needs, each continuing from its latest checkpoint
  (a finished model is not touched);
- ``analyse``: evaluate and probe every checkpoint not yet analysed (and any study of its own,
  continuing where it stopped);
- ``report``: write the experiment's summary JSON, figures and report.html from what is on disk,
  and return the headline lines the command prints.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bumpdiff.config import Config
from bumpdiff.store.runfolder import RunFolder
from bumpdiff.training.loop import train_to_end  # noqa: F401 (re-exported for the experiments)

Log = Callable[[str], None]


@dataclass(frozen=True)
class Experiment:
    """The entry points of one experiment (module docstring), under the name it is declared with
    (config/experiments.py)."""

    name: str
    train: Callable[[Config, RunFolder, Log, bool], None]  # (cfg, root, log, progress bar)
    analyse: Callable[[Config, RunFolder, Log], None]
    report: Callable[[Config, RunFolder], list[str]]  # headline lines, summary path last
