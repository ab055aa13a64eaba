"""Lattices of bump centres with independent spacings and ranges per axis; pure numpy."""

from __future__ import annotations

import numpy as np
from scipy.spatial import Delaunay, QhullError, cKDTree

from bumpdiff.config import ConfigError, DataConfig


def axis_values(lo: float, hi: float, spacing: float) -> np.ndarray:
    """Centres lo, lo + d, ..., up to hi (inclusive within 1e-9 px); computed as lo + d * k.

    Raises ConfigError for spacing <= 0 or hi < lo.
    """
    if not spacing > 0:
        raise ConfigError(f"spacing: must be > 0, got {spacing}")
    if hi < lo:
        raise ConfigError(f"range: hi must be >= lo, got [{lo}, {hi}]")
    count = int(np.floor((hi - lo) / spacing + 1e-9)) + 1
    return lo + spacing * np.arange(count, dtype=np.float64)


def lattice(
    size: int,
    dx: float,
    dy: float,
    x_range: tuple[float, float] | None = None,
    y_range: tuple[float, float] | None = None,
    periodic: bool = False,
) -> np.ndarray:
    """All (mu_x, mu_y) of a rectangular lattice, x varying fastest; shape (n_x * n_y, 2), pixels.

    Ranges default to the whole canvas, [0, size - 1] (on a periodic canvas [0, size), the last
    point dropped where it would coincide with 0 around the torus).
    """
    hi = float(size - 1)
    ranges = []
    for name, rng in (("x_range", x_range), ("y_range", y_range)):
        lo_v, hi_v = (0.0, hi) if rng is None else (float(rng[0]), float(rng[1]))
        if not 0 <= lo_v <= hi_v <= (size if periodic else hi):
            raise ConfigError(f"{name}: must satisfy 0 <= lo <= hi <= {hi:g}, got [{lo_v}, {hi_v}]")
        ranges.append((lo_v, hi_v))
    xs = axis_values(*ranges[0], dx)
    ys = axis_values(*ranges[1], dy)
    if periodic:
        xs = xs[xs < size - 1e-9]
        ys = ys[ys < size - 1e-9]
    grid_y, grid_x = np.meshgrid(ys, xs, indexing="ij")  # rows: y, x fastest
    return np.stack([grid_x.ravel(), grid_y.ravel()], axis=1)


def lattice_from_config(cfg: DataConfig) -> np.ndarray:
    """The training lattice a DataConfig describes."""
    return lattice(cfg.extent, cfg.dx, cfg.dy, cfg.x_range, cfg.y_range, cfg.periodic)


def label_permutation(cfg: DataConfig, seed: int) -> np.ndarray:
    """Index array π over the lattice (``lattice_from_config`` order): the image at lattice point
    i is labelled with point π[i]. The identity unless ``data.permute_labels``, then a fixed random
    bijection seeded by ``seed`` (a null control: the labels still form a lattice, but say nothing
    about where the bump is)."""
    n = len(lattice_from_config(cfg))
    if not cfg.permute_labels:
        return np.arange(n)
    return np.random.default_rng([seed, 7919]).permutation(n)


def targets_for(cfg: DataConfig, seed: int, labels: np.ndarray) -> np.ndarray:
    """Where the training data put the bump for each label (n, 2): the label itself, or with
    permuted labels the lattice point whose image carried that label. Labels off the lattice
    (``bumpdiff sample --at``) keep their own position."""
    if not cfg.permute_labels:
        return np.asarray(labels, dtype=np.float64)
    points = lattice_from_config(cfg)
    position_of = {tuple(points[j]): points[i] for i, j in enumerate(label_permutation(cfg, seed))}
    return np.array([position_of.get(tuple(label), label) for label in labels], dtype=np.float64)


def subgrid(conditions: np.ndarray, max_points: int) -> np.ndarray:
    """A sub-lattice of at most ``max_points`` conditions: every k-th value along each axis.

    The axis with more remaining values is thinned first, so an imbalanced lattice (dx = 0.1,
    dy = 1) keeps its full y range and a regular grid. Deterministic; keeps lattice order.
    """
    if len(conditions) <= max_points:
        return conditions
    xs, ys = np.unique(conditions[:, 0]), np.unique(conditions[:, 1])
    stride = [1, 1]
    kept = [len(xs), len(ys)]
    while kept[0] * kept[1] > max_points:
        axis = 0 if kept[0] >= kept[1] else 1
        stride[axis] += 1
        kept[axis] = -(-(len(xs), len(ys))[axis] // stride[axis])
    keep_x, keep_y = xs[:: stride[0]], ys[:: stride[1]]
    mask = np.isin(conditions[:, 0], keep_x) & np.isin(conditions[:, 1], keep_y)
    return conditions[mask]


def off_lattice_points(training: np.ndarray, n: int, seed: int) -> np.ndarray:
    """``n`` conditions between the training positions (m, 2), all inside their convex hull and at
    least a quarter of the smallest spacing from every training position: the centres of the
    lattice's cells first (evenly thinned to half of ``n`` when there are more), then uniform
    random points (so that "at the condition" and "at a training position" differ). Fewer
    when the hull is flat (a line of positions has no inside)."""
    training = np.asarray(training, dtype=np.float64)
    xs, ys = np.unique(training[:, 0]), np.unique(training[:, 1])
    if n == 0 or len(xs) < 2 or len(ys) < 2:
        return np.empty((0, 2))
    gap = 0.25 * min(np.diff(xs).min(), np.diff(ys).min())
    try:
        hull, tree = Delaunay(training), cKDTree(training)
    except QhullError:  # collinear positions (a diagonal line): no inside
        return np.empty((0, 2))

    def between(p: np.ndarray) -> np.ndarray:
        return p[(hull.find_simplex(p) >= 0) & (tree.query(p)[0] >= gap)]

    gx, gy = np.meshgrid((xs[1:] + xs[:-1]) / 2, (ys[1:] + ys[:-1]) / 2)
    centres = between(np.column_stack([gx.ravel(), gy.ravel()]))
    take = min(len(centres), -(-n // 2))
    centres = centres[np.round(np.linspace(0, len(centres) - 1, take)).astype(int)]
    rng = np.random.default_rng([seed, 3571])
    lo, hi = training.min(axis=0), training.max(axis=0)
    found: list[np.ndarray] = []
    for _ in range(100):  # bounded: a hull with no room left gives fewer points
        if sum(len(f) for f in found) >= n - take:
            break
        found.append(between(lo + (hi - lo) * rng.random((4 * n, 2))))
    random = np.concatenate(found)[: n - take] if found else np.empty((0, 2))
    return np.concatenate([centres, random])
