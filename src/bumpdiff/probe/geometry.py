"""Geometry of a representation (follow-up paper, Fig. 2-3); pure numpy / scikit-learn / ripser.

- **Spectrum**: the PCA explained-variance ratios (first 15), the share of the top 4, and the
  effective dimension, the participation ratio (Σλ)² / Σλ² of the covariance eigenvalues
  (``probe.metrics.participation_ratio``).
- **Topology**: persistent homology of the Vietoris-Rips filtration (ripser); a feature is
  *long-lived* when its persistence exceeds ``min_persistence`` × the cloud's diameter (above
  the sampling holes of random spheres, below a torus's loops: tests/probe/test_geometry.py). A
  circle has one long-lived H₁ feature, a torus two.
- **Factorization** of a representation r(i, j) given on the lattice of conditions (i indexes x,
  j indexes y). Displacements Δx(i, j) = r(i+1, j) − r(i, j) and Δy(i, j) = r(i, j+1) − r(i, j)
  (wrapping around on a periodic lattice). With cos the cosine of two vectors:
  - ``x_on_y`` = mean |cos(Δx(i, j), Δy(k, l))| over all pairs of sites: 0 when x and y move the
    representation in orthogonal subspaces (factorized), > 0 when they share directions;
  - ``x_on_x`` = mean cos(Δx(i, j), Δx(i, l)), l ≠ j: 1 when the same x step moves the
    representation the same way whatever y is (parallel), lower when y bends it;
  - ``y_on_y`` = mean cos(Δy(i, j), Δy(k, j)), k ≠ i: the same for y steps across x.
  On the ideal factorized (Clifford) torus [cos a, sin a, cos b, sin b] they are (0, 1, 1). On the
  ideal coupled torus [(R + r cos b) cos a, (R + r cos b) sin a, r sin b] (3D) ``x_on_x`` is 1 but
  y steps turn with a (``y_on_y`` ≈ ½) and x and y steps at different sites share directions.
"""

from __future__ import annotations

import numpy as np
from ripser import ripser
from scipy.spatial.distance import pdist, squareform

STATISTICS = ("x_on_y", "x_on_x", "y_on_y")


def eigenvalues(points: np.ndarray) -> np.ndarray:
    """Covariance eigenvalues of an (n, D) cloud, largest first."""
    centred = np.asarray(points, np.float64) - np.mean(points, axis=0)
    sing = np.linalg.svd(centred, compute_uv=False)
    return sing**2 / max(len(points) - 1, 1)


def pca_spectrum(points: np.ndarray, k: int = 15) -> np.ndarray:
    """Explained-variance ratios of the first ``k`` components (zeros beyond the rank)."""
    lam = eigenvalues(points)
    ratios = lam / lam.sum() if lam.sum() > 0 else lam
    return np.pad(ratios[:k], (0, max(0, k - len(ratios))))


def persistence(points: np.ndarray, maxdim: int = 1) -> list[np.ndarray]:
    """Persistence diagrams H₀ … H_maxdim (ripser), each an (m, 2) array of (birth, death)."""
    distances = squareform(pdist(np.asarray(points, np.float64)))  # few points, many features
    return ripser(distances, maxdim=maxdim, distance_matrix=True)["dgms"]


def long_lived(points: np.ndarray, diagrams, min_persistence: float = 0.2) -> list[int]:
    """Per homology degree, the features whose persistence exceeds ``min_persistence`` × the
    diameter of ``points`` (the infinite H₀ class counts)."""
    cut = min_persistence * float(pdist(np.asarray(points, np.float64)).max())
    return [int(np.sum((dgm[:, 1] - dgm[:, 0]) > cut)) for dgm in diagrams]


def displacements(grid: np.ndarray, periodic: bool) -> tuple[np.ndarray, np.ndarray]:
    """Δx (nx', ny, D) and Δy (nx, ny', D) of a representation on an (nx, ny, D) lattice."""
    if periodic:
        return np.roll(grid, -1, axis=0) - grid, np.roll(grid, -1, axis=1) - grid
    return np.diff(grid, axis=0), np.diff(grid, axis=1)


def _unit(v: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(v, axis=-1, keepdims=True)
    return v / np.where(norm > 0, norm, 1.0)


def _mean_off_diagonal(cos: np.ndarray) -> float:
    """Mean over the pairs of distinct rows of stacked (m, n, n) cosine matrices."""
    n = cos.shape[-1]
    return float(
        (cos.sum(axis=(-1, -2)) - np.trace(cos, axis1=-2, axis2=-1)).sum()
        / (cos.shape[0] * n * (n - 1))
    )


def factorization_stats(grid: np.ndarray, periodic: bool = False) -> dict[str, float]:
    """``x_on_y``, ``x_on_x`` and ``y_on_y`` of an (nx, ny, D) representation (module docstring)."""
    dx, dy = displacements(np.asarray(grid, np.float64), periodic)
    ux, uy = _unit(dx), _unit(dy)
    d = ux.shape[-1]
    cross = np.abs(ux.reshape(-1, d) @ uy.reshape(-1, d).T).mean()
    along_x = np.einsum("ijd,ild->ijl", ux, ux)  # same x step (i), other y (j, l)
    along_y = np.einsum("ijd,kjd->jik", uy, uy)  # same y step (j), other x (i, k)
    return {
        "x_on_y": float(cross),
        "x_on_x": _mean_off_diagonal(along_x),
        "y_on_y": _mean_off_diagonal(along_y),
    }


def clifford_torus(nx: int, ny: int) -> np.ndarray:
    """The ideal factorized torus on an nx × ny periodic lattice: (nx, ny, 4)."""
    a, b = np.meshgrid(
        2 * np.pi * np.arange(nx) / nx, 2 * np.pi * np.arange(ny) / ny, indexing="ij"
    )
    return np.stack([np.cos(a), np.sin(a), np.cos(b), np.sin(b)], axis=-1)


def coupled_torus(nx: int, ny: int, big: float = 2.0, small: float = 1.0) -> np.ndarray:
    """The ideal coupled torus in 3D, radii ``big`` and ``small``: (nx, ny, 3)."""
    a, b = np.meshgrid(
        2 * np.pi * np.arange(nx) / nx, 2 * np.pi * np.arange(ny) / ny, indexing="ij"
    )
    ring = big + small * np.cos(b)
    return np.stack([ring * np.cos(a), ring * np.sin(a), small * np.sin(b)], axis=-1)


def closer_torus(stats: dict[str, float], nx: int, ny: int, margin: float = 0.5) -> dict:
    """Which ideal torus, sampled on the same lattice, the statistics are closer to (sum of
    absolute differences): "factorized" or "coupled" when that distance is below ``margin`` × the
    other's, else "undetermined"."""
    ideal = {
        "factorized": factorization_stats(clifford_torus(nx, ny), periodic=True),
        "coupled": factorization_stats(coupled_torus(nx, ny), periodic=True),
    }
    dist = {k: sum(abs(stats[s] - v[s]) for s in STATISTICS) for k, v in ideal.items()}
    verdict = "undetermined"
    if dist["factorized"] < margin * dist["coupled"]:
        verdict = "factorized"
    elif dist["coupled"] < margin * dist["factorized"]:
        verdict = "coupled"
    return {"verdict": verdict, "distance": dist, "ideal": ideal}
