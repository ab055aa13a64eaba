"""The bootstrap the follow-up's curves share (pure): a study trains independent models (seeds)
at each point of a grid and evaluates each on a number of images, so a replicate of its mean
curve resamples the seeds at each point with replacement and redraws each drawn seed's accuracy
as Binomial(images, accuracy) / images."""

from __future__ import annotations

import numpy as np


def bootstrap_curves(per_seed, images: int, repeats: int, rng: np.random.Generator) -> np.ndarray:
    """(repeats, points) replicates of the mean accuracy curve; ``per_seed``: per grid point,
    the accuracies of its seeds; ``images``: evaluation images per seed."""
    curves = np.empty((repeats, len(per_seed)))
    for j, accs in enumerate(per_seed):
        accs = np.asarray(accs, float)
        drawn = accs[rng.integers(0, len(accs), (repeats, len(accs)))]
        curves[:, j] = rng.binomial(images, drawn).mean(axis=1) / images
    return curves
