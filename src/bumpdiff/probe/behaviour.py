"""The behavioural representation (seed paper's B/C distinction measured on what the model
generates): per condition, the mean position of the dominant generated bump, whatever the image's
outcome, and how well those positions are laid out like the conditions. Pure numpy.

A model in B generates one bump per image at a place unrelated to (mu_x, mu_y): the positions do
not preserve the conditions' neighbourhoods; in C they do. Unlike the probed layer, these positions
cannot be passed by the conditioning encoder alone: they are what the network does with it.
"""

from __future__ import annotations

import numpy as np

from bumpdiff.probe.metrics import condition_means, r2_linear, trustworthiness


def behaviour_order(centers: np.ndarray, conditions: np.ndarray, knn: int = 8) -> dict[str, float]:
    """Order of the generated positions as a map of condition space.

    Args:
        centers: (n, 2) dominant bump (x, y) per image, NaN where an image has no bump.
        conditions: (n, 2) the requested (mu_x, mu_y) of each image, pixels.
        knn: neighbours for trustworthiness.

    Returns:
        coverage: share of conditions with at least one bump (the rest are left out);
        trustworthiness: of the per-condition mean positions (``metrics.trustworthiness``), NaN
            with fewer than 4 conditions covered;
        r2_x, r2_y: R² of mu_x (mu_y) regressed linearly on the mean positions (1 when the
            positions are an affine image of the conditions), NaN where undefined.
    """
    centers = np.asarray(centers, dtype=np.float64)
    conditions = np.asarray(conditions, dtype=np.float64)
    has = np.isfinite(centers).all(axis=1)
    n_conditions = len(np.unique(conditions, axis=0))
    out = {"coverage": 0.0, "trustworthiness": np.nan, "r2_x": np.nan, "r2_y": np.nan}
    if not has.any():
        return out
    uniq, means, _ = condition_means(centers[has], conditions[has])
    out["coverage"] = len(uniq) / n_conditions
    if len(uniq) >= 4:
        out["trustworthiness"] = trustworthiness(uniq, means, knn)
        out["r2_x"] = r2_linear(means, uniq[:, 0])
        out["r2_y"] = r2_linear(means, uniq[:, 1])
    return out


def behaviour_order_null(
    conditions: np.ndarray, knn: int = 8, draws: int = 200, seed: int = 0
) -> np.ndarray:
    """Trustworthiness of per-condition positions unrelated to the conditions, ``draws`` times:
    the distinct conditions' own points handed to the conditions in a random order. The null a
    "disordered" stage's order is judged against (``behaviour_order``'s trustworthiness)."""
    uniq = np.unique(np.asarray(conditions, dtype=np.float64), axis=0)
    rng = np.random.default_rng(seed)
    return np.array(
        [trustworthiness(uniq, uniq[rng.permutation(len(uniq))], knn) for _ in range(draws)]
    )
