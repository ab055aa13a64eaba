"""A per-image statistic of coupled learning (after Okawa et al. 2023, "compositional abilities
emerge multiplicatively"): among images with a dominant bump, is placing it right on x and right
on y more often joint than independent axes would make it?

``joint_excess`` compares P(x right and y right) with P(x right)·P(y right): independent axes give
equality (excess ≈ 0, its bootstrap interval around 0); learning that gets both axes at once, or
neither, gives an excess; axes that trade off against each other give a deficit.
"""

from __future__ import annotations

import numpy as np


def joint_excess(
    x_right: np.ndarray, y_right: np.ndarray, n_boot: int = 1000, seed: int = 0
) -> dict[str, float]:
    """P(x and y right), P(x right)·P(y right), their difference (the excess) and its 95 %
    percentile bootstrap interval over images (pairs resampled); NaN with fewer than 10 images."""
    x, y = np.asarray(x_right, bool), np.asarray(y_right, bool)
    nan = float("nan")
    if len(x) < 10:
        return {"joint": nan, "product": nan, "excess": nan, "excess_low": nan, "excess_high": nan}
    joint, product = float(np.mean(x & y)), float(np.mean(x) * np.mean(y))
    pick = np.random.default_rng(seed).integers(0, len(x), size=(n_boot, len(x)))
    xb, yb = x[pick], y[pick]
    boot = (xb & yb).mean(axis=1) - xb.mean(axis=1) * yb.mean(axis=1)
    low, high = np.percentile(boot, [2.5, 97.5])
    return {"joint": joint, "product": product, "excess": joint - product,
            "excess_low": float(low), "excess_high": float(high)}  # fmt: skip
