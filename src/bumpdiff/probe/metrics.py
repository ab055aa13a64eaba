"""Embeddings and order metrics of a representation; pure functions of (activations, conditions).

``activations`` is (n, d): one row per probe input; ``conditions`` is (n, 2) of (mu_x, mu_y), with
conditions repeated when there are several draws per condition.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import sparse
from sklearn.decomposition import PCA
from sklearn.linear_model import LinearRegression
from sklearn.manifold import trustworthiness as sk_trustworthiness
from sklearn.neighbors import NearestNeighbors

from bumpdiff.probe.umap_cache import reducer


def _group_sums(activations: np.ndarray, group: np.ndarray, m: int) -> np.ndarray:
    """Per-group sums of the rows (m, d), as one sparse indicator product (BLAS speed; np.add.at
    took most of a probe's time on 4096 × 2304 activations)."""
    n = len(group)
    indicator = sparse.csr_matrix((np.ones(n), (group, np.arange(n))), shape=(m, n))
    return np.asarray(indicator @ activations)


def condition_means(
    activations: np.ndarray, conditions: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean activation per distinct condition.

    Returns (unique conditions (m, 2), means (m, d), group index of each row (n,)).
    """
    uniq, group = np.unique(conditions, axis=0, return_inverse=True)
    group = group.ravel()
    sums = _group_sums(activations, group, len(uniq))
    means = sums / np.bincount(group)[:, None]
    return uniq, means, group


def _adjusted_share(activations: np.ndarray, group: np.ndarray, m: int, total: float) -> float:
    """Chance-corrected η² of a grouping (``condition_share``), given the total sum of squares.
    The between-group sum of squares is Σ_g |sum_g|² / n_g − n |grand mean|²."""
    if total <= 0:
        return 0.0
    n = len(activations)
    sums = _group_sums(activations, group, m)
    grand = activations.sum(axis=0)
    between = float(((sums**2).sum(axis=1) / np.bincount(group, minlength=m)).sum())
    between -= float((grand**2).sum()) / n
    return 1.0 - (1.0 - between / total) * (n - 1) / (n - m)


def _total_ss(activations: np.ndarray) -> float:
    return float(((activations - activations.mean(axis=0)) ** 2).sum())


def condition_share(activations: np.ndarray, conditions: np.ndarray) -> float:
    """Share of activation variance explained by the condition, corrected for chance.

    η² = Σ_features between-condition sum of squares / Σ_features total sum of squares (one-way
    ANOVA, pooled over features), then adjusted like R²: 1 - (1 - η²)(n - 1)/(n - m) for n rows in
    m conditions, so that activations independent of the condition score ≈ 0 whatever the number of
    draws (raw η² would be ≈ 1/draws), and activations fixed by the condition score 1.
    Range (-inf, 1]; NaN when every condition appears once. Low when the layer follows its noise
    input rather than the condition (phase A; docs/science.md, "Probe").
    """
    uniq, group = np.unique(conditions, axis=0, return_inverse=True)
    if len(uniq) == len(activations):
        return float("nan")
    return _adjusted_share(activations, group.ravel(), len(uniq), _total_ss(activations))


def condition_share_null(
    activations: np.ndarray, conditions: np.ndarray, permutations: int = 20, seed: int = 0
) -> float:
    """The largest ``condition_share`` over random relabellings of the rows (conditions shuffled
    across rows, so any structure tied to them is destroyed); a share at or below it is not
    distinguishable from chance at p ≈ 1 / (permutations + 1). NaN with one row per condition.
    """
    uniq, group = np.unique(conditions, axis=0, return_inverse=True)
    if len(uniq) == len(activations):
        return float("nan")
    rng = np.random.default_rng(seed)
    group, total = group.ravel(), _total_ss(activations)
    return max(
        _adjusted_share(activations, group[rng.permutation(len(group))], len(uniq), total)
        for _ in range(permutations)
    )


def pca_embed(activations: np.ndarray, n_components: int) -> tuple[np.ndarray, np.ndarray]:
    """Top principal components (m, k) and the explained-variance ratios (k,)."""
    k = int(min(n_components, activations.shape[0] - 1, activations.shape[1]))
    pca = PCA(n_components=k, svd_solver="full").fit(activations)
    return pca.transform(activations), pca.explained_variance_ratio_


def umap_embed(
    activations: np.ndarray,
    n_components: int = 3,
    n_neighbors: int = 15,
    min_dist: float = 0.1,
    seed: int = 0,
) -> np.ndarray:
    """UMAP embedding (m, n_components) (umap-learn; seeded: single-threaded, repeatable).
    NaN when there are too few points for UMAP's spectral start (m ≤ n_components + 1; e.g. a
    1D lattice of three positions): such a cloud has no embedding to read."""
    if len(activations) <= n_components + 1:
        return np.full((len(activations), n_components), np.nan)
    n_neighbors = int(min(n_neighbors, len(activations) - 1))
    fit = reducer(n_components, n_neighbors, min_dist, seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fit.fit_transform(activations)


def r2_linear(embedding: np.ndarray, target: np.ndarray) -> float:
    """R² of the least-squares linear regression of ``target`` (m,) on ``embedding`` (m, k).

    The seed paper's order measure (x and y regressed on the UMAP embedding); 1 = perfectly
    linearly decodable, ≤ 0 = no better than the mean. Range (-inf, 1].
    """
    if np.ptp(target) == 0 or not np.isfinite(embedding).all():
        return float("nan")
    return float(LinearRegression().fit(embedding, target).score(embedding, target))


def standardise(conditions: np.ndarray) -> np.ndarray:
    scale = conditions.std(axis=0)
    return (conditions - conditions.mean(axis=0)) / np.where(scale > 0, scale, 1.0)


def knn_overlap(conditions: np.ndarray, points: np.ndarray, k: int = 8) -> float:
    """Neighbour preservation between condition space and representation space, in [0, 1].

    For each point, the share of its k nearest neighbours in the representation that are also among
    its k nearest in condition space (axes scaled to unit variance, so an imbalanced lattice counts
    both axes). On a lattice, condition-space distances tie: every point as close as the k-th
    neighbour counts as a neighbour, so ties never lower the score. Chance level ≈ k / m.
    """
    m = len(points)
    k = int(min(k, m - 1))
    cond = standardise(conditions)
    _, rep_idx = NearestNeighbors(n_neighbors=k + 1).fit(points).kneighbors(points)
    dist_c = np.linalg.norm(cond[:, None] - cond[None], axis=2)  # (m, m)
    np.fill_diagonal(dist_c, np.inf)
    kth = np.sort(dist_c, axis=1)[:, k - 1 : k]  # (m, 1) distance of the k-th neighbour
    in_cond = dist_c <= kth + 1e-9  # (m, m) tie-inclusive neighbour sets
    hits = np.take_along_axis(in_cond, rep_idx[:, 1:], axis=1)  # (m, k)
    return float(hits.mean())


def trustworthiness(conditions: np.ndarray, points: np.ndarray, k: int = 8) -> float:
    """Trustworthiness of the representation as a map of condition space (scikit-learn,
    ``sklearn.manifold.trustworthiness``; Venna & Kaski 2001), in [0, 1] (≈ 0.5 for a random map).

    T(k) = 1 - 2 / (m k (2m - 3k - 1)) Σ_i Σ_{j ∈ U_i(k)} (r(i, j) - k): points that are among the
    k nearest neighbours in the representation but not in condition space are penalised by their
    rank r in condition space (axes scaled to unit variance). Rank-based, so it is less sensitive
    than k-NN overlap to jitter among near neighbours, which sampling noise in the means causes.
    """
    k = int(min(k, (len(points) - 1) // 2))
    return float(sk_trustworthiness(standardise(conditions), points, n_neighbors=k))


def local_pca_dimension(points: np.ndarray, k: int = 8, variance: float = 0.9) -> float:
    """Median over points of the number of principal components that explain ``variance`` of the
    local cloud (the point and its k nearest neighbours). 2 for a sheet, up to k for noise.

    Unlike distance-ratio estimators (TwoNN), it stays right on lattice-sampled conditions, whose
    nearest-neighbour distances tie (docs/science.md, "Order metrics").
    """
    k = int(min(k, len(points) - 1))
    _, idx = NearestNeighbors(n_neighbors=k + 1).fit(points).kneighbors(points)
    local = points[idx]  # (m, k+1, d)
    local = local - local.mean(axis=1, keepdims=True)
    sv = np.linalg.svd(local, compute_uv=False)  # (m, min(k+1, d))
    ev = sv**2
    ratio = np.cumsum(ev, axis=1) / np.maximum(ev.sum(axis=1, keepdims=True), 1e-300)
    dims = (ratio < variance).sum(axis=1) + 1
    return float(np.median(dims))


def participation_ratio(points: np.ndarray) -> float:
    """Effective dimension (Σλ)² / Σλ² of the covariance eigenvalues; in [1, min(m, d)]."""
    centred = points - points.mean(axis=0)
    ev = np.linalg.svd(centred, compute_uv=False) ** 2
    return float(ev.sum() ** 2 / (ev**2).sum()) if ev.sum() > 0 else 0.0
