"""Measures of the trajectory probe (probe/trajectory.py); pure functions of arrays.

At one captured timestep, rows are samples: ``mu`` (n, 2) the condition, ``p`` (n, 2) where the
sample's dominant generated bump ended up (NaN without one), ``draw`` (n,) which draw of its
condition a row is. A representation (n, features) is measured against both:

- ``order_condition``: trustworthiness against μ, one draw set at a time (each condition once),
  averaged over the draw sets; ``order_generated``: trustworthiness against p over the samples
  with a bump (probe/metrics.py; ≈ 0.5 for an unrelated layout, 1 for a perfect map);
- cross-validated linear decoding R² of μx, μy, px, py (ridge, k-fold: ``decode_r2``);
- the seed paper's measure: a 3D UMAP, then 1D linear regressions of x and y on it;
- a local PCA dimension.

The **learned part** of an order is the trained network's minus the highest of the controls fed
the same x_t (untrained network, shuffled weights, the pixels of x_t), with a bootstrap interval
over samples: what the trained network's layer holds beyond what any network of its shape, or
the input itself, would.
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import RidgeCV
from sklearn.metrics import pairwise_distances
from sklearn.model_selection import KFold, cross_val_predict
from sklearn.neighbors import NearestNeighbors

from bumpdiff.probe.metrics import (
    local_pca_dimension,
    r2_linear,
    standardise,
    trustworthiness,
    umap_embed,
)

CONTROLS = ("untrained", "shuffled", "pixels")


def order_by_draw(rep: np.ndarray, mu: np.ndarray, draw: np.ndarray, k: int) -> float:
    """Trustworthiness of ``rep`` against μ within each draw set, averaged over the sets."""
    values = [trustworthiness(mu[draw == d], rep[draw == d], k) for d in np.unique(draw)]
    return float(np.mean(values)) if values else float("nan")


def order_generated(rep: np.ndarray, p: np.ndarray, k: int) -> float:
    """Trustworthiness of ``rep`` against the generated positions, over samples with a bump;
    NaN with fewer than 2k + 2 of them."""
    has = np.isfinite(p).all(axis=1)
    if has.sum() < 2 * k + 2:
        return float("nan")
    return trustworthiness(p[has], rep[has], k)


def decode_r2(rep: np.ndarray, target: np.ndarray, folds: int = 5, seed: int = 0) -> float:
    """Cross-validated R² of a ridge regression of ``target`` (n,) on ``rep`` (n, f): 1 when
    decodable, ≤ 0 when no better than the mean; NaN for a constant target or too few rows."""
    ok = np.isfinite(target)
    rep, target = rep[ok], target[ok]
    if len(target) < 2 * folds or np.ptp(target) == 0:
        return float("nan")
    cv = KFold(folds, shuffle=True, random_state=seed)
    pred = cross_val_predict(RidgeCV(alphas=np.logspace(-3, 3, 7)), rep, target, cv=cv)
    return float(1 - ((target - pred) ** 2).sum() / ((target - target.mean()) ** 2).sum())


def umap_r2(
    rep: np.ndarray, targets: dict[str, np.ndarray], neighbors: int, seed: int
) -> tuple[dict, np.ndarray]:
    """The seed paper's measure: 1D linear regressions of each target on a 3D UMAP of ``rep``
    (over the rows where the target is defined); and the embedding."""
    emb = umap_embed(rep, 3, neighbors, 0.1, seed)
    out = {}
    for name, y in targets.items():
        ok = np.isfinite(y)
        out[name] = r2_linear(emb[ok], y[ok]) if ok.sum() > 4 else float("nan")
    return out, emb


def trust_terms(conditions: np.ndarray, points: np.ndarray, k: int) -> np.ndarray:
    """Each point's term of the trustworthiness of ``points`` against ``conditions`` (the same
    computation as ``sklearn.manifold.trustworthiness``, axes of the conditions scaled as in
    probe/metrics.py): T = 1 - mean_i(terms_i), so the terms of a subset of points average to
    that subset's share of the penalty."""
    n = len(points)
    k = int(min(k, (n - 1) // 2))
    cond = standardise(conditions)
    dist = pairwise_distances(cond)  # sklearn's, so that tied distances sort alike
    np.fill_diagonal(dist, np.inf)
    order = np.argsort(dist, axis=1)  # as sklearn: ranks in condition space
    near = NearestNeighbors(n_neighbors=k).fit(points).kneighbors(return_distance=False)
    inverted = np.zeros((n, n), dtype=int)
    idx = np.arange(n + 1)
    inverted[idx[:-1, None], order] = idx[1:]
    ranks = inverted[idx[:-1, None], near] - k  # (n, k)
    penalty = np.where(ranks > 0, ranks, 0).sum(axis=1)
    return penalty * (2.0 / (k * (2.0 * n - 3.0 * k - 1.0)))


def bootstrap_orders(
    reps: dict[str, np.ndarray], target: np.ndarray, k: int, n_boot: int = 500, seed: int = 0
) -> dict[str, np.ndarray]:
    """The trustworthiness of every representation against ``target`` (n, 2) (μ, or p) on the
    rows where it is defined (first entry), then on ``n_boot`` bootstrap resamples of those rows'
    terms (``trust_terms``, neighbourhoods held fixed); the resamples are the same for every
    representation, so they pair. NaN with fewer than 2k + 2 rows."""
    rows = np.flatnonzero(np.isfinite(target).all(axis=1))
    if len(rows) < 2 * k + 2:
        return {name: np.full(n_boot + 1, np.nan) for name in reps}
    pick = np.random.default_rng(seed).integers(0, len(rows), size=(n_boot, len(rows)))
    out = {}
    for name, rep in reps.items():
        terms = trust_terms(target[rows], rep[rows], k)
        out[name] = 1 - np.concatenate([[terms.mean()], terms[pick].mean(axis=1)])
    return out


def learned_part(orders: dict[str, np.ndarray]) -> tuple[float, float, float]:
    """Trained minus the highest control, with a 95 % percentile bootstrap interval.

    ``orders`` maps "trained" and each control to an array (B + 1,): the order on all samples
    first, then on each of B paired bootstrap resamples (``bootstrap_orders``)."""
    trained = orders["trained"]
    best = np.max(np.stack([orders[c] for c in orders if c != "trained"]), axis=0)
    diff = trained - best
    boot = diff[1:][np.isfinite(diff[1:])]
    if not np.isfinite(diff[0]) or len(boot) < 10:
        return float(diff[0]), float("nan"), float("nan")
    low, high = np.percentile(boot, [2.5, 97.5])
    return float(diff[0]), float(low), float(high)


def committed_share(centers: np.ndarray, target: np.ndarray, tolerance: float) -> float:
    """Share of samples whose x̂₀ dominant bump lies within ``tolerance`` of ``target`` on both
    axes (rows without a bump or without a target count as not there)."""
    ok = np.isfinite(centers).all(axis=1) & np.isfinite(target).all(axis=1)
    near = np.zeros(len(centers), bool)
    near[ok] = np.abs(centers[ok] - target[ok]).max(axis=1) <= tolerance
    return float(near.mean()) if len(near) else float("nan")


def decision_t(shares: dict[int, float], at_least: float = 0.5) -> int | None:
    """The highest captured t from which (going down to the last captured step) the share
    stays at least ``at_least``: when the sampler has committed. None when it never does."""
    decided = None
    for t in sorted(shares):  # from the last step up
        if not shares[t] >= at_least:
            break
        decided = t
    return decided


def measure_step(
    reps: dict[str, np.ndarray],
    mu: np.ndarray,
    p: np.ndarray,
    draw: np.ndarray,
    knn: int,
    neighbors: int,
    seed: int = 0,
) -> tuple[dict[str, float], np.ndarray]:
    """Every measure of one captured timestep (module docstring), and the trained layer's 3D
    UMAP. ``reps``: "trained" and each of CONTROLS, (n, features) each, rows aligned with
    ``mu``, ``p`` and ``draw``."""
    trained = reps["trained"]
    out = {"order_condition": order_by_draw(trained, mu, draw, knn)}
    out["order_generated"] = order_generated(trained, p, knn)
    for name in CONTROLS:
        out[f"order_condition_{name}"] = order_by_draw(reps[name], mu, draw, knn)
        out[f"order_generated_{name}"] = order_generated(reps[name], p, knn)
    shuffled = p[np.random.default_rng(seed).permutation(len(p))]
    out["order_generated_null"] = order_generated(trained, shuffled, knn)  # p re-assigned
    for target, values in (("condition", mu), ("generated", p)):
        diff, low, high = learned_part(bootstrap_orders(reps, values, knn, seed=seed))
        out |= {f"learned_{target}": diff, f"learned_{target}_low": low}
        out[f"learned_{target}_high"] = high
    names = {"x": mu[:, 0], "y": mu[:, 1], "px": p[:, 0], "py": p[:, 1]}
    out |= {f"r2_decode_{k}": decode_r2(trained, v, seed=seed) for k, v in names.items()}
    umap, embedding = umap_r2(trained, names, neighbors, seed)
    out |= {f"r2_umap_{k}": v for k, v in umap.items()}
    out["dimension"] = local_pca_dimension(trained, knn)
    return out, embedding


def step_value(step: dict, key: str) -> float:
    """A measure of one captured step as a float: NaN where it is missing or None (rows read
    back from JSON hold None for NaN)."""
    v = step.get(key)
    return float("nan") if v is None else float(v)


def trajectory_phase(steps: list[dict], min_learned: float) -> str:
    """The checkpoint's trajectory phase from its captured steps' learned parts:
    C when at some step the layer is ordered by the condition beyond every control (the learned
    part's interval above ``min_learned``); B when not, but ordered by the generated position
    beyond every control; A when every interval lies below ``min_learned`` on both; otherwise
    (an interval straddles it, or too few samples) undetermined."""

    value = step_value

    def above(target: str) -> bool:
        return any(value(s, f"learned_{target}_low") > min_learned for s in steps)

    def below(target: str) -> bool:
        highs = [value(s, f"learned_{target}_high") for s in steps]
        return bool(highs) and all(np.isfinite(h) and h <= min_learned for h in highs)

    if above("condition"):
        return "C"
    if above("generated"):
        return "B"
    if below("condition") and below("generated"):
        return "A"
    return "undetermined"
