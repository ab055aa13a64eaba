"""Layers with a known answer for the trajectory phase's threshold (``trajectory.min_learned``),
built beside a real trajectory (analysis/trajectory_calibration.py); pure functions of arrays.

Null layers hold nothing a network of the model's shape, or the input, would not hold: another
untrained network (other seed), another weight-shuffled copy (other seed), or a fixed random
nonlinear map of the pixels of x_t (``leak_layer``). Their learned part must stay at or below the
threshold at every timestep. Positive layers mix a null layer with random features of a position
(``position_features``: of the condition μ, or of the generated place p) at a known share of the
variance (``mixed``): the threshold should let them through from a small share on.
"""

from __future__ import annotations

import numpy as np

from bumpdiff.probe.metrics import standardise
from bumpdiff.probe.trajectory_metrics import bootstrap_orders, learned_part


def _unit(rep: np.ndarray) -> np.ndarray:
    """Centred columns, scaled so the whole representation has total variance 1."""
    rep = rep - rep.mean(axis=0)
    total = float((rep**2).sum() / len(rep))
    return rep / np.sqrt(total) if total > 0 else rep


def leak_layer(pixels: np.ndarray, seed: int, features: int = 256) -> np.ndarray:
    """tanh of a fixed random projection of the (n, pixels) input: a layer that holds only what
    the input shows."""
    w = np.random.default_rng(seed).normal(size=(pixels.shape[1], features))
    return np.tanh(_unit(pixels) @ w / np.sqrt(pixels.shape[1]) * 3)


def position_features(positions: np.ndarray, seed: int, features: int = 256) -> np.ndarray:
    """Random Fourier features of (n, 2) positions (axes standardised; lattice-scale
    frequencies): a smooth 2D sheet in ``features`` dimensions. Rows without a position (NaN)
    get zeros."""
    out = np.zeros((len(positions), features))
    ok = np.isfinite(positions).all(axis=1)
    if ok.sum() < 2:
        return out
    rng = np.random.default_rng(seed)
    w, b = rng.normal(size=(2, features)), rng.uniform(0, 2 * np.pi, features)
    out[ok] = np.sin(standardise(positions[ok]) @ w + b)
    return out


def mixed(base: np.ndarray, signal: np.ndarray, share: float) -> np.ndarray:
    """``base`` and ``signal`` side by side, the signal holding ``share`` of the variance."""
    return np.hstack([np.sqrt(1 - share) * _unit(base), np.sqrt(share) * _unit(signal)])


def learned_cases(
    candidates: dict[str, np.ndarray],
    controls: dict[str, np.ndarray],
    targets: dict[str, np.ndarray],
    knn: int,
    seed: int,
) -> dict[str, dict[str, tuple[float, float, float]]]:
    """Each candidate layer's learned part (point, 95 % low, high) against each target, beside
    ``controls``, exactly as the trajectory probe measures the trained layer."""
    out: dict = {name: {} for name in candidates}
    for target, values in targets.items():
        base = bootstrap_orders(controls, values, knn, seed=seed)
        for name, rep in candidates.items():
            own = bootstrap_orders({"trained": rep}, values, knn, seed=seed)
            out[name][target] = learned_part({**base, **own})
    return out


def threshold_above(values: list[float], unit: float = 0.01) -> float:
    """The smallest multiple of ``unit`` (at least 0) strictly above every finite value."""
    finite = [v for v in values if np.isfinite(v)]
    top = max(finite, default=-1.0)
    return float(max(0.0, (np.floor(top / unit + 1e-9) + 1) * unit))
