"""bumpdiff from Python: a run folder opened for notebooks (``bumpdiff.open_run``).

Tables come as pandas DataFrames, one row kind each; arrays as NumPy; the network as a torch
module. Everything is read through the run folder's checked readers (store/), so a corrupt file
is refused here as it is by the command line. The examples below run in the test suite on a tiny
run (``run_path``).

>>> import bumpdiff
>>> run = bumpdiff.open_run(run_path)
>>> run.config.experiment
'phases'
>>> table = run.phases()
>>> list(table["step"]) == run.checkpoints()
True
>>> {"phase", "accuracy", "frac_mislocated"} <= set(table.columns)
True
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from bumpdiff.config import Config, ConfigError
from bumpdiff.store.analysis_files import read_recorded
from bumpdiff.store.runfolder import RunFolder

NESTED = {
    "fractions": "frac_",
    "probe": "probe_",
    "behaviour": "behaviour_",
    "controls": "control_",
}
LIST_FIELDS = {"trajectory"}  # of eval rows: one row per captured t in ``Run.trajectory``


class Run:
    """A run folder opened for reading (``open_run``)."""

    def __init__(self, path: str | Path):
        self.folder = RunFolder(path)
        if not self.folder.exists():
            raise ConfigError(f"run: {path} is not a bumpdiff run folder (no config.yaml)")

    @property
    def config(self) -> Config:
        """The run's resolved config (config.yaml)."""
        return self.folder.read_config()

    def checkpoints(self) -> list[int]:
        """The steps of the saved checkpoints, in order."""
        return self.folder.checkpoint_steps()

    def phases(self) -> pd.DataFrame:
        """phases.json as one row per checkpoint: step, phase, layer_phase, trajectory_phase,
        accuracy, ``frac_<outcome>``, and the nested records flattened with a prefix
        (``probe_``, ``behaviour_``, ``control_``); the trajectory's steps are in
        ``trajectory()``.

        >>> run = open_run(run_path)
        >>> run.phases()[["step", "frac_multiple"]].shape[1]
        2
        """
        rows = []
        for entry in self.folder.read_phases():
            raw = entry.model_dump(mode="python", exclude={"trajectory"})
            row = {k: v for k, v in raw.items() if not isinstance(v, dict)}
            for name, prefix in NESTED.items():
                row |= {f"{prefix}{k}": v for k, v in (raw.get(name) or {}).items()}
            rows.append(row)
        return pd.DataFrame(rows)

    def trajectory(self) -> pd.DataFrame:
        """The trajectory probe, one row per (checkpoint, captured t); empty when it was off.

        >>> open_run(run_path).trajectory().empty  # the tiny run did not capture any t
        True
        """
        rows = [{"step": e.step, **s} for e in self.folder.read_phases() for s in e.trajectory]
        return pd.DataFrame(rows)

    def metrics(self, kind: str) -> pd.DataFrame:
        """The rows of one kind of metrics.jsonl (start, train, checkpoint, interrupted, eval,
        probe), all of them in file order (the latest of a step is the one that counts); the
        eval rows' trajectory lists are left to ``trajectory()``.

        >>> open_run(run_path).metrics("train")[["step", "loss"]].dtypes["step"].kind
        'i'
        """
        kinds = ("start", "train", "checkpoint", "interrupted", "eval", "probe")
        if kind not in kinds:
            raise ConfigError(f"kind: must be one of {', '.join(kinds)}, got {kind!r}")
        rows = [r.model_dump(mode="python", exclude=LIST_FIELDS) for r in
                self.folder.read_metrics(kind)]  # fmt: skip
        return pd.DataFrame(rows)

    def dynamics(self) -> pd.DataFrame:
        """dynamics.json (``bumpdiff dynamics``) as one row per checkpoint: step, the snapping
        record with the prefix ``snap_``, ``r2_<baseline>`` (mean over t), best, runner_up,
        margin, margin_se; ConfigError when the run has not been measured.

        >>> open_run(run_path).dynamics()  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        bumpdiff.config.common.ConfigError: run: ... has no dynamics.json; ...
        """
        from bumpdiff.store.summaries import DynamicsSummary

        path = self.folder.dynamics_path
        if not path.is_file():
            raise ConfigError(
                f"run: {self.folder.root} has no dynamics.json; bumpdiff dynamics RUN makes it"
            )
        summary = DynamicsSummary.model_validate_json(path.read_text())
        rows = []
        for s in summary.steps:
            row = {"step": s.step, **{f"snap_{k}": v for k, v in s.snapping.model_dump().items()}}
            row |= {f"r2_{k}": v for k, v in s.fit_mean.items()}
            row |= {k: getattr(s, k) for k in ("best", "runner_up", "margin", "margin_se")}
            rows.append(row)
        return pd.DataFrame(rows)

    def samples(self, step: int) -> dict[str, np.ndarray]:
        """The evaluation samples of checkpoint ``step`` (checked against their row): images
        (n, N, N), conditions (n, 2) in pixels, outcome (n,), centers (n, 2) of the dominant
        bump (NaN without one), positions of every bump, the sampler.

        >>> s = open_run(run_path).samples(open_run(run_path).checkpoints()[-1])
        >>> s["images"].shape[0] == len(s["outcome"]) == len(s["conditions"])
        True
        """
        return read_recorded(self.folder, "eval", step)

    def model(self, step: int | None = None):
        """The network of checkpoint ``step`` (default: the last), on the config's device."""
        from bumpdiff.analysis.pipeline import load_checkpoint_model

        step = self.folder.require_checkpoint(step)
        return load_checkpoint_model(self.folder, self.config, step)

    def generate(self, conditions, step: int | None = None, n: int = 1, seed: int = 0):
        """``n`` images per condition ((m, 2) pixels) from checkpoint ``step`` with the run's
        sampler: (images (m·n, N, N), conditions (m·n, 2)); image r is seeded seed + r.

        >>> images, cond = open_run(run_path).generate([[3.0, 3.0]], n=2)
        >>> images.shape[0], cond.shape
        (2, (2, 2))
        """
        from bumpdiff.data import check_centers_for
        from bumpdiff.diffusion.sampling import generate

        cfg = self.config
        conditions = check_centers_for(cfg.data, np.asarray(conditions, dtype=float))
        return generate(self.model(step), cfg, conditions, n, seed)


def open_run(path: str | Path) -> Run:
    """Open the run folder ``path`` for reading (module docstring)."""
    return Run(path)
