"""Percolation theory of manifold formation (follow-up paper, Fig. 6 and 13-14); pure numpy/scipy.

The idea: a model can only stitch training conditions into one continuous manifold where
neighbouring training images overlap. Keep each lattice site with probability λ (subsampling);
join two kept sites when the overlap of their bumps exceeds a threshold (the paper: 0.005 and
0.05); the mass of the largest connected cluster, as a fraction of all sites, jumps from ~0 to ~1
at a critical λ, which the theory predicts is where accuracy sets in.

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


def largest_cluster_fraction(sites: np.ndarray, kept: np.ndarray, radius: float) -> float:
    """Sites in the largest connected cluster of the kept ones, as a fraction of all sites;
    kept sites closer than ``radius`` are joined (scipy connected components)."""
    points = sites[kept]
    if len(points) == 0:
        return 0.0
    pairs = cKDTree(points).query_pairs(radius * (1 - 1e-12), output_type="ndarray")
    n = len(points)
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return float(np.bincount(labels).max() / len(sites))


def mass_ratio_curve(
    sites: np.ndarray, radius: float, fractions, repeats: int = 20, seed: int = 0
) -> np.ndarray:
    """(repeats, len(fractions)) largest-cluster mass ratios. Each repeat draws one uniform number
    per site and keeps the sites below λ, so within a repeat the kept sets are nested and the
    curve is non-decreasing in λ (coupled draws)."""
    fractions = np.asarray(fractions, dtype=np.float64)
    rng = np.random.default_rng(seed)
    out = np.empty((repeats, len(fractions)))
    for r in range(repeats):
        u = rng.random(len(sites))
        out[r] = [largest_cluster_fraction(sites, u < lam, radius) for lam in fractions]
    return out


def critical_fraction(fractions, mean_curve) -> float | None:
    """The finite-size estimate of the threshold λ_c: where the mean mass ratio rises fastest
    (the midpoint of the steepest grid interval). None when the lattice does not percolate: the
    largest cluster holds less than half the sites even at the largest λ."""
    fractions, mean_curve = np.asarray(fractions), np.asarray(mean_curve)
    if mean_curve[-1] < 0.5:
        return None
    slope = np.diff(mean_curve) / np.diff(fractions)
    i = int(np.argmax(slope))
    return float((fractions[i] + fractions[i + 1]) / 2)
