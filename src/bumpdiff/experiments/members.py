"""What the follow-up's studies share: several models ("members"), each a plain run folder with
its own config, trained to the end and evaluated at its last checkpoint only, then scored per
region of the conditions from the saved samples."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from bumpdiff.analysis.pipeline import analyse_pending
from bumpdiff.config import Config, ConfigError, build_config
from bumpdiff.experiments.base import Log, train_to_end
from bumpdiff.store.analysis_files import read_recorded
from bumpdiff.store.runfolder import RunFolder
from bumpdiff.training.same_training import COMPUTE_SETTINGS, TRAINING_SECTIONS
from bumpdiff.training.side_by_side import can_overlap, train_side_by_side

Member = tuple[str, Config, RunFolder]  # (what, config, run folder)


def derived(cfg: Config, seed: int, **sections: dict) -> Config:
    """``cfg`` as a plain training run with ``seed`` and some sections' fields replaced, e.g.
    ``data={"sigma": 0.5}``."""
    tree = cfg.model_dump(mode="json")
    tree.update(experiment="phases", seed=seed)
    for name, fields in sections.items():
        tree[name].update(fields)
    return build_config(tree)


def design_of(cfg: Config, grid: tuple[str, ...]) -> dict:
    """What every member of a study shares, as its summary records it: the experiment, the
    training sections less the compute settings (train.device, threads, overlap: they change
    how fast, not what is trained), sampling, evaluation and the study's own section less the
    lists ``grid`` that name its members (e.g. widths, fractions, seeds). Shards of one design
    (experiments/shards.py) record equal designs."""
    tree = cfg.model_dump(mode="json")
    design = {k: tree[k] for k in ("experiment", *TRAINING_SECTIONS, "sample", "eval")}
    design[cfg.experiment] = {k: v for k, v in tree[cfg.experiment].items() if k not in grid}
    design["train"] = {k: v for k, v in tree["train"].items()
                       if k not in COMPUTE_SETTINGS}  # fmt: skip
    return design


def train_all(members: Iterable[Member], log: Log, progress: bool) -> None:
    """Train every member to its end: side by side, one thread each, with ``train.overlap``
    (training/side_by_side.py), else one after another."""
    members = list(members)
    if members and can_overlap(members[0][1]) is None:
        train_side_by_side(members, log)
        return
    for what, member_cfg, sub in members:
        log(f"{what} → {sub.root}")
        train_to_end(member_cfg, sub, log, progress)


def evaluate_last(members: Iterable[Member], log: Log, probe: bool = False) -> None:
    """Evaluate (and with ``probe`` probe) each member's last checkpoint, unless done with the
    same settings."""
    parts = ("eval", "probe") if probe else ("eval",)
    for _, member_cfg, sub in members:
        analyse_pending(sub, member_cfg, log, parts=parts, only=[member_cfg.train.steps])


def last_samples(cfg: Config, run: RunFolder) -> dict[str, np.ndarray]:
    """The evaluation samples of the last checkpoint (samples/<step>.npz)."""
    path = run.samples_path(cfg.train.steps)
    if not path.is_file():
        raise ConfigError(
            f"run: {run.root} has no evaluation of step {cfg.train.steps}; analyse it"
        )
    return read_recorded(run, "eval", cfg.train.steps)


def accuracy_by(parts: np.ndarray, outcome: np.ndarray, names: Iterable[str]) -> dict:
    """Share of "correct" outcomes among the images of each named part (None where it has none)
    and over all of them ("all")."""
    correct = outcome == "correct"
    out = {"all": float(correct.mean())}
    for name in names:
        sel = np.isin(parts, name if isinstance(name, tuple) else (name,))
        key = "+".join(name) if isinstance(name, tuple) else name
        out[key] = float(correct[sel].mean()) if sel.any() else None
    return out


def spread(values: list[float | None]) -> dict:
    """Mean, min and max over seeds of the values that exist (None when none does)."""
    vals = [v for v in values if v is not None]
    if not vals:
        return {"mean": None, "min": None, "max": None, "per_seed": values}
    return {"mean": float(np.mean(vals)), "min": float(min(vals)), "max": float(max(vals)),
            "per_seed": values}  # fmt: skip


def answer(accuracy: float | None, min_accuracy: float) -> str:
    """A study's yes/no for one claim: the accuracy reaches ``min_accuracy``; "undetermined"
    without images to measure it on."""
    if accuracy is None:
        return "undetermined"
    return "yes" if accuracy >= min_accuracy else "no"


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def per_seed(stats: dict) -> str:
    """The seeds' values of a ``spread`` as percentages."""
    return ", ".join(pct(v) for v in stats["per_seed"])


def write_summary(root: RunFolder, name: str, data: dict, lines: list[str]) -> list[str]:
    """Write study ``name``'s summary in the run folder as its typed record
    (``RunFolder.write_summary``); return the headline lines: the computed sentences without
    emphasis, the summary's path last."""
    path = root.write_summary(name, data)
    return [*(s.replace("**", "") for s in lines), f"summary: {path}"]
