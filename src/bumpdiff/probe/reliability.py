"""How much of a representation's per-condition structure is reproducible across draws, and the
means denoised to that reproducible part. Pure numpy.

With several inputs per condition (draws), each condition's mean activation carries sampling
noise. Noisy means look high-dimensional (the local dimension of pure noise is the neighbourhood
size) and disordered, so order and dimension are measured only on the part of the means that two
independent halves of the draws agree on:

- ``split_half_reliability``: one number for the whole layer (all features pooled).
- ``component_reliability``: the same per principal direction, cross-fitted so that noise cannot
  pass: directions fitted on one half of the draws, scores of the other half correlated with them
  (both ways, averaged), Spearman–Brown corrected to the full number of draws.
- ``reliable_means``: the per-condition means projected on those of their first principal
  components whose reliability reaches a floor (``phase.min_component_reliability``); this is
  what the phase rule measures order and dimension on. Not only the leading run of them: in a
  trained network the largest direction of the means can be noise (measured on the quick run
  with 16 draws) while the condition lies in the next ones.
"""

from __future__ import annotations

import numpy as np
from sklearn.manifold import trustworthiness as sk_trustworthiness


def draw_groups(activations: np.ndarray, conditions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows grouped by condition: (unique conditions (M, 2), groups (M, R, d)) with R the
    smallest number of rows any condition has (extra rows of other conditions are left out, in
    row order)."""
    uniq, group = np.unique(conditions, axis=0, return_inverse=True)
    group = group.ravel()
    order = np.argsort(group, kind="stable")
    counts = np.bincount(group, minlength=len(uniq))
    r = int(counts.min())
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rows = order[starts[:, None] + np.arange(r)[None, :]]  # (M, R) row indices
    return uniq, activations[rows]


def spearman_brown(r: float) -> float:
    """Reliability of the mean of both halves from the correlation r of the halves."""
    return 2 * r / (1 + r) if np.isfinite(r) and r > -1 else float("nan")


def _halves(groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Means over the even and the odd draws, each centred across conditions."""
    halves = [groups[:, 0::2].mean(axis=1), groups[:, 1::2].mean(axis=1)]
    return tuple(h - h.mean(axis=0) for h in halves)


def split_half_reliability(groups: np.ndarray) -> float:
    """Reliability of per-condition means from (M, R, d) repeated rows (R draws or positions):
    the Pearson correlation, over conditions and features, of the means of the even and odd
    repeats (each centred across conditions), Spearman–Brown corrected: 2r / (1 + r).
    1 = the means are reproducible; ≈ 0 = they are noise. NaN with fewer than 2 repeats."""
    if groups.shape[1] < 2:
        return float("nan")
    a, b = _halves(groups.astype(np.float64))
    denom = np.sqrt((a**2).sum() * (b**2).sum())
    return spearman_brown(float((a * b).sum() / denom)) if denom > 0 else float("nan")


def _corr(u: np.ndarray, v: np.ndarray) -> float:
    denom = np.sqrt((u**2).sum() * (v**2).sum())
    return float((u * v).sum() / denom) if denom > 1e-300 else float("nan")


def _cross_fitted(groups: np.ndarray, components: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """For each half of the draws in turn: its own scores and the other half's on the half's
    own first k principal directions, k ≤ ``components`` (one SVD per half)."""
    a, b = _halves(groups.astype(np.float64))
    k = int(min(components, len(a) - 1, a.shape[1]))
    out = []
    for fit, other in ((a, b), (b, a)):
        v = np.linalg.svd(fit, full_matrices=False)[2][:k].T
        out.append((fit @ v, other @ v))
    return out


def _component_reliability(scores: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    k = scores[0][0].shape[1]
    r = [np.mean([_corr(fit[:, j], other[:, j]) for fit, other in scores]) for j in range(k)]
    return np.array([spearman_brown(float(x)) for x in r])


def component_reliability(groups: np.ndarray, components: int) -> np.ndarray:
    """Spearman–Brown reliability of the first ``components`` principal directions of the
    per-condition means (module docstring), shape (k,), k ≤ components; NaN where a direction
    has no variance. Under pure noise each is ≈ 0 in expectation: the half that chose the
    direction is not the half that is scored on it."""
    if groups.shape[1] < 2:
        return np.full(0, np.nan)
    return _component_reliability(_cross_fitted(groups, components))


def reliable_means(
    groups: np.ndarray, floor: float, components: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The per-condition means on the K of their first ``components`` principal components whose
    ``component_reliability`` is at least ``floor``: (M, K); cross-fitted half pairs
    (2, 2, M, K): for each half, its scores and the other half's on the same-ranked directions
    of the half's own PCA; and the reliabilities of the components looked at. Needs ≥ 2 draws."""
    scores = _cross_fitted(groups, components)
    rel = _component_reliability(scores)
    keep = np.flatnonzero(np.nan_to_num(rel, nan=-1.0) >= floor)
    means = groups.mean(axis=1).astype(np.float64)
    means = means - means.mean(axis=0)
    _, _, vt = np.linalg.svd(means, full_matrices=False)
    pairs = np.array([[fit[:, keep], other[:, keep]] for fit, other in scores])
    return means @ vt[keep].T, pairs, rel


def half_agreement(pairs: np.ndarray, knn: int) -> float:
    """Whether the arrangement of the reliable means is reproducible: the trustworthiness of the
    other half's points as a map of one half's, on that half's own leading directions
    (``sklearn.manifold.trustworthiness``; both halves in turn, averaged), from the (2, 2, M, K)
    pairs of ``reliable_means``. Cross-fitted like ``component_reliability``: the other half's
    noise is independent of the directions, so noise cannot agree with itself. 1 when both halves
    put every condition among the same neighbours; ≈ 0.5 when their arrangements are unrelated.
    A disordered manifold (B) must be reproducibly disordered; a noisy ordered one is not. NaN
    with K = 0."""
    if pairs.shape[-1] == 0:
        return float("nan")
    k = int(min(knn, (pairs.shape[2] - 1) // 2))
    scores = [sk_trustworthiness(fit, other, n_neighbors=k) for fit, other in pairs]
    return float(np.mean(scores))
