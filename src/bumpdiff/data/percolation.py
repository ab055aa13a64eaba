"""Percolation theory of manifold formation (follow-up paper, Fig. 6 and 13-14); pure numpy/scipy.

The idea: a model can only stitch training conditions into one continuous manifold where
neighbouring training images overlap. Keep each lattice site with probability λ (subsampling);
join two kept sites when the overlap of their bumps exceeds a threshold (the paper: 0.005 and
0.05); the mass of the largest connected cluster, as a fraction of all sites, jumps from ~0 to ~1
at a critical λ, which the theory predicts is where accuracy sets in. The finite lattice's λ_c is
where half of the random subsets span it (one cluster joins two opposite edges): for a flat
mass-ratio curve (long-range links: the largest cluster is all kept sites from the start) that is
a small λ, for links too short to join neighbours it is never.

**Overlap of two bumps** (the paper does not state its normalisation; ``normalisation`` chooses):
with g_a(r) = exp(-|r - a|² / 2σ²) and d = |a - b| in the continuous plane,
- ``cosine``: <g_a, g_b> / <g_a, g_a> = exp(-d² / 4σ²), scale-free: depends on d/σ only (ours);
- ``unit_mass``: bumps normalised to unit mass, ∫ g_a g_b = exp(-d² / 4σ²) / (4π σ²);
- ``unit_peak``: bumps of peak 1 (the rendered images), ∫ g_a g_b = π σ² exp(-d² / 4σ²).
Each is a decreasing function of d, so "overlap > threshold" is "d < radius(σ, threshold)".
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

NORMALISATIONS = ("cosine", "unit_mass", "unit_peak")


def _scale(sigma: float, normalisation: str) -> float:
    """The overlap at d = 0."""
    if normalisation not in NORMALISATIONS:
        raise ValueError(f"normalisation: must be one of {NORMALISATIONS}, got {normalisation!r}")
    return {"cosine": 1.0, "unit_mass": 1 / (4 * np.pi * sigma**2), "unit_peak": np.pi * sigma**2}[
        normalisation
    ]


def overlap(d, sigma: float, normalisation: str = "cosine") -> np.ndarray:
    """Overlap of two 2D Gaussian bumps of width ``sigma`` whose centres are ``d`` apart."""
    d = np.asarray(d, dtype=np.float64)
    return _scale(sigma, normalisation) * np.exp(-(d**2) / (4 * sigma**2))


def connect_radius(sigma: float, threshold: float, normalisation: str = "cosine") -> float:
    """The distance below which the overlap exceeds ``threshold`` (0 where it never does)."""
    ratio = _scale(sigma, normalisation) / threshold
    return float(2 * sigma * np.sqrt(np.log(ratio))) if ratio > 1 else 0.0


def lattice_sites(nx: int, ny: int, dx: float = 1.0, dy: float = 1.0) -> np.ndarray:
    """(nx * ny, 2) positions of a rectangular lattice, x fastest."""
    gx, gy = np.meshgrid(np.arange(nx) * dx, np.arange(ny) * dy)
    return np.column_stack([gx.ravel(), gy.ravel()])


def clusters(sites: np.ndarray, kept: np.ndarray, radius: float) -> np.ndarray:
    """Cluster label of each kept site: kept sites closer than ``radius`` are joined (scipy
    connected components)."""
    points = sites[kept]
    pairs = cKDTree(points).query_pairs(radius * (1 - 1e-12), output_type="ndarray")
    n = len(points)
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def largest_cluster_fraction(sites: np.ndarray, kept: np.ndarray, radius: float) -> float:
    """Sites in the largest connected cluster of the kept ones, as a fraction of all sites."""
    if not kept.any():
        return 0.0
    return float(np.bincount(clusters(sites, kept, radius)).max() / len(sites))


def spans(sites: np.ndarray, kept: np.ndarray, radius: float) -> bool:
    """Whether one cluster of kept sites reaches two opposite edges of the lattice (within half a
    connection radius of the first and of the last column, or row): the finite lattice
    percolates."""
    if not kept.any():
        return False
    labels, points = clusters(sites, kept, radius), sites[kept]
    lo, hi, zone = sites.min(axis=0), sites.max(axis=0), max(radius / 2, 1e-9)
    for axis in (0, 1):
        near_lo = set(labels[points[:, axis] <= lo[axis] + zone])
        near_hi = set(labels[points[:, axis] >= hi[axis] - zone])
        if near_lo & near_hi:
            return True
    return False


def percolation_curves(
    sites: np.ndarray, radius: float, fractions, repeats: int = 20, seed: int = 0
) -> dict[str, np.ndarray]:
    """(repeats, len(fractions)) largest-cluster mass ratios ("mass") and whether the kept sites
    span the lattice ("spans"). Each repeat draws one uniform number per site and keeps the sites
    below λ, so within a repeat the kept sets are nested and both curves are non-decreasing in λ
    (coupled draws)."""
    fractions = np.asarray(fractions, dtype=np.float64)
    rng = np.random.default_rng(seed)
    mass = np.empty((repeats, len(fractions)))
    span = np.zeros((repeats, len(fractions)), dtype=bool)
    for r in range(repeats):
        u = rng.random(len(sites))
        for j, lam in enumerate(fractions):
            mass[r, j] = largest_cluster_fraction(sites, u < lam, radius)
            span[r, j] = spans(sites, u < lam, radius)
    return {"mass": mass, "spans": span}


def critical_fraction(fractions, span_probability) -> float | None:
    """The finite-size threshold λ_c: the λ at which half of the random subsets span the lattice
    (linear interpolation between grid points). None when they never do: the lattice does not
    percolate at any λ (e.g. bumps too narrow for neighbours to overlap enough)."""
    fractions, p = np.asarray(fractions, float), np.asarray(span_probability, float)
    above = np.flatnonzero(p >= 0.5)
    if not len(above):
        return None
    i = int(above[0])
    if i == 0:
        return float(fractions[0])
    return float(np.interp(0.5, [p[i - 1], p[i]], [fractions[i - 1], fractions[i]]))
