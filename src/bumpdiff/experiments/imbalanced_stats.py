"""Coupling statistics of per-axis learning curves for the imbalanced experiment; pure functions.

A learning curve is accuracy against training step at the checkpoints. If a model factorized the
task into two 1D problems, each axis would be learned at its own pace; if learning is coupled, x and
y rise together whatever their data density.
"""

from __future__ import annotations

import numpy as np


def step_to_reach(steps: np.ndarray, curve: np.ndarray, level: float) -> float:
    """First step at which ``curve`` reaches ``level``, linearly interpolated between checkpoints
    (on a log(1 + step) axis, since checkpoints are log-spaced). NaN if never reached.

    Args:
        steps: (k,) increasing checkpoint steps.
        curve: (k,) values at those steps (e.g. x-accuracy in [0, 1]).
        level: the threshold, e.g. 0.5 or 0.9.
    """
    steps = np.asarray(steps, dtype=np.float64)
    curve = np.asarray(curve, dtype=np.float64)
    above = np.flatnonzero(curve >= level)
    if above.size == 0:
        return float("nan")
    i = int(above[0])
    if i == 0 or curve[i] == level:
        return float(steps[i])
    u0, u1 = np.log1p(steps[i - 1]), np.log1p(steps[i])
    c0, c1 = curve[i - 1], curve[i]
    frac = (level - c0) / (c1 - c0) if c1 != c0 else 1.0
    return float(np.expm1(u0 + frac * (u1 - u0)))


def curve_correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation of two curves over the checkpoints; NaN if either is constant."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.std() == 0 or b.std() == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def coupling_stats(steps, x_curve, y_curve) -> dict[str, float]:
    """Steps to 50 % and 90 % per axis, their x/y ratios and the correlation of the curves."""
    out = {
        "x_step50": step_to_reach(steps, x_curve, 0.5),
        "y_step50": step_to_reach(steps, y_curve, 0.5),
        "x_step90": step_to_reach(steps, x_curve, 0.9),
        "y_step90": step_to_reach(steps, y_curve, 0.9),
        "curve_corr": curve_correlation(x_curve, y_curve),
    }
    out["ratio50"] = _ratio(out["x_step50"], out["y_step50"])
    out["ratio90"] = _ratio(out["x_step90"], out["y_step90"])
    return out


def _ratio(a: float, b: float) -> float:
    return a / b if np.isfinite(a) and np.isfinite(b) and b > 0 else float("nan")


def factorized_ratio(
    balanced_ratio: float, n_x: int, n_y: int, n_x_bal: int, n_y_bal: int
) -> float:
    """x/y step ratio predicted if each axis were learned as its own 1D task (ours).

    A 1D task over n distinct values, sampled uniformly, visits each value ∝ 1/n times per step, so
    the steps to learn it scale ∝ n. Rescaling the balanced runs' measured ratio by the change in
    distinct values per axis gives the factorized prediction:
        ratio_fact = ratio_balanced · (n_x / n_x_bal) / (n_y / n_y_bal).
    Coupled learning instead keeps the ratio near the balanced one.
    """
    return balanced_ratio * (n_x / n_x_bal) / (n_y / n_y_bal)


def coupling_verdict(measured: float, balanced: float, factorized: float) -> str:
    """'coupled' if log(measured) is nearer log(balanced) than log(factorized), else 'factorized';
    'undetermined' when a ratio is missing or the two predictions coincide."""
    vals = np.array([measured, balanced, factorized], dtype=np.float64)
    if not np.all(np.isfinite(vals)) or np.any(vals <= 0):
        return "undetermined"
    lm, lb, lf = np.log(vals)
    if abs(lb - lf) < 1e-9:
        return "undetermined"
    return "coupled" if abs(lm - lb) < abs(lm - lf) else "factorized"
