"""The training set a DataConfig describes: which labels, of which image kind.

- 2D kinds (bump, sos): the lattice's points in the trained region (``holdout.regions``), then
  with ``keep_fraction`` λ < 1 a random λ-subset of them, seeded by the run's seed;
- vstripe: one image per distinct x of the lattice, labelled (x, NaN): "no y";
- hstripe: one per distinct y, labelled (NaN, y).
A NaN coordinate is the conditioning's "no label" (diffusion/conditioning.py). Images come in
the order of ``data.kinds``.
"""

from __future__ import annotations

import numpy as np

from bumpdiff.config import ConfigError, DataConfig
from bumpdiff.data.holdout import regions
from bumpdiff.data.lattice import label_permutation, lattice_from_config

TWO_D = ("bump", "sos")


def training_indices(cfg: DataConfig, seed: int) -> np.ndarray:
    """Indices (sorted) of the lattice points trained on as 2D images: those in the trained
    region, all, or with ``keep_fraction`` λ < 1 a random round(λ n) of them (at least 1)."""
    points = lattice_from_config(cfg)
    candidates = np.flatnonzero(regions(cfg, points) == "in")
    if cfg.keep_fraction >= 1:
        return candidates
    keep = max(1, round(cfg.keep_fraction * len(candidates)))
    rng = np.random.default_rng([seed, 104729])
    return np.sort(rng.choice(candidates, keep, replace=False))


def trained_mask(cfg: DataConfig, seed: int, conditions: np.ndarray) -> np.ndarray:
    """Whether each 2D condition (m, 2) is one of the trained lattice points."""
    points = lattice_from_config(cfg)[training_indices(cfg, seed)]
    kept = {tuple(np.round(p, 9)) for p in points}
    return np.array([tuple(np.round(c, 9)) in kept for c in np.asarray(conditions)], dtype=bool)


def training_set(cfg: DataConfig, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(centres (n, 2), labels (n, 2), kinds (n,)) of every training image: where each image's
    bump or stripes are, the label it is trained with (the centre, or with
    ``data.permute_labels`` another lattice point), and its kind."""
    points = lattice_from_config(cfg)
    centres, labels, kinds = [], [], []
    for kind in cfg.kinds:
        if kind in TWO_D:
            kept = training_indices(cfg, seed)
            centres.append(points[kept])
            labels.append(points[label_permutation(cfg, seed)][kept])
        else:
            values = np.unique(points[:, 0 if kind == "vstripe" else 1])
            nan = np.full_like(values, np.nan)
            pairs = np.column_stack([values, nan] if kind == "vstripe" else [nan, values])
            centres.append(pairs)
            labels.append(pairs)
        kinds.append(np.full(len(centres[-1]), kind, dtype="<U8"))
    if not sum(len(c) for c in centres):
        raise ConfigError(
            f"data.holdout: holds out every condition ({cfg.holdout.kind}, width "
            f"{cfg.holdout.width:g}); nothing is left to train on"
        )
    return np.concatenate(centres), np.concatenate(labels), np.concatenate(kinds)
