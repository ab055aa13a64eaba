"""Coupling statistics of per-axis learning curves for the imbalanced experiment; pure functions.

A learning curve is accuracy against training step at the checkpoints. If a model factorized the
task into two 1D problems, each axis would be learned at its own pace; if learning is coupled, x and
y rise together whatever their data density.
"""

from __future__ import annotations

import numpy as np


def step_to_reach(steps: np.ndarray, curve: np.ndarray, level: float) -> float:
    """The step from which ``curve`` stays at or above ``level``: linearly interpolated between
    the last checkpoint below it and the next (on a log(1 + step) axis, since checkpoints are
    log-spaced). NaN if the last checkpoint is below the level. A curve that touches the level
    by chance early (a few images, a noisy share) and falls back does not count as reached.

    Args:
        steps: (k,) increasing checkpoint steps.
        curve: (k,) values at those steps (e.g. x-accuracy in [0, 1]); NaN counts as below.
        level: the threshold, e.g. 0.5 or 0.9.
    """
    steps = np.asarray(steps, dtype=np.float64)
    curve = np.asarray(curve, dtype=np.float64)
    if not curve.size or not curve[-1] >= level:
        return float("nan")
    below = np.flatnonzero(~(curve >= level))
    if below.size == 0:
        return float(steps[0])
    i = int(below[-1]) + 1  # the first checkpoint of the final run at or above the level
    if curve[i] == level:
        return float(steps[i])
    u0, u1 = np.log1p(steps[i - 1]), np.log1p(steps[i])
    c0, c1 = np.nan_to_num(curve[i - 1]), curve[i]
    frac = (level - c0) / (c1 - c0) if c1 != c0 else 1.0
    return float(np.expm1(u0 + min(max(frac, 0.0), 1.0) * (u1 - u0)))


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


def _log_finite(values) -> np.ndarray:
    vals = np.asarray([v for v in values if v is not None], dtype=np.float64)
    return np.log(vals[np.isfinite(vals) & (vals > 0)])


def coupling_verdict(
    measured, coupled, factorized, min_separation: float = float(np.log(1.5))
) -> tuple[str, dict[str, float]]:
    """Is the 2D model's x/y step ratio nearer the coupled or the factorized prediction?

    Each argument is a list over seeds of x/y step-to-criterion ratios: ``measured`` from the 2D
    model, ``coupled`` from the balanced 2D model (x and y learned together, ratio ≈ 1), and
    ``factorized`` from models that learn each axis alone (1D lattices with the same spacings,
    x's 1D steps over y's). On the log scale, with means m, c, f and the standard error of
    each difference from the seeds' spread (0 with one seed):
    - "undetermined" when a list is empty, or the two predictions are closer than
      ``min_separation`` (log 1.5 by default: the design cannot tell them apart) or than twice
      their standard error, or when m is not nearer one of them by twice its standard error;
    - otherwise "coupled" or "factorized", whichever m is nearer.
    Returns the verdict and the statistics (log means, their standard errors, the separation).
    """
    m, c, f = (_log_finite(v) for v in (measured, coupled, factorized))
    stats = {"log_measured": float("nan"), "log_coupled": float("nan"),
             "log_factorized": float("nan"), "separation": float("nan")}  # fmt: skip
    if not (m.size and c.size and f.size):
        return "undetermined", stats

    def se(x: np.ndarray) -> float:
        return float(x.std(ddof=1) / np.sqrt(x.size)) if x.size > 1 else 0.0

    stats.update(log_measured=m.mean(), log_coupled=c.mean(), log_factorized=f.mean())
    stats["separation"] = abs(c.mean() - f.mean())
    se_pred = float(np.hypot(se(c), se(f)))
    se_m = float(np.hypot(se(m), se_pred))
    stats.update(se_separation=se_pred, se_measured=se_m)
    if stats["separation"] < max(min_separation, 2 * se_pred):
        return "undetermined", stats
    to_c, to_f = abs(m.mean() - c.mean()), abs(m.mean() - f.mean())
    if abs(to_c - to_f) < 2 * se_m:
        return "undetermined", stats
    return ("coupled" if to_c < to_f else "factorized"), stats


def learning_excess(x_acc, y_acc, excess, lo: float = 0.1, hi: float = 0.9) -> float:
    """One run's per-image coupling (scoring/coupling.py): the mean joint excess over the
    checkpoints where both axes are being learned (each per-axis accuracy within [lo, hi];
    before and after, both axes are mostly wrong or mostly right and the excess is ≈ 0 whatever
    the learning). NaN when no checkpoint is in that window."""
    x, y, e = (np.asarray(v, dtype=np.float64) for v in (x_acc, y_acc, excess))
    inside = (x >= lo) & (x <= hi) & (y >= lo) & (y <= hi) & np.isfinite(e)
    return float(e[inside].mean()) if inside.any() else float("nan")


def excess_answer(per_seed, z: float = 2.0) -> tuple[str, float, float]:
    """Over seeds (the unit): "excess" when the mean learning excess is above 0 by ``z``
    standard errors, "deficit" when below, else "no excess detected"; with the mean and its
    standard error. "not measured" with fewer than two seeds that have a value."""
    vals = np.asarray([v for v in per_seed if v is not None and np.isfinite(v)], np.float64)
    if vals.size < 2:
        return "not measured", float("nan"), float("nan")
    mean, se = float(vals.mean()), float(vals.std(ddof=1) / np.sqrt(vals.size))
    if mean - z * se > 0:
        return "excess", mean, se
    if mean + z * se < 0:
        return "deficit", mean, se
    return "no excess detected", mean, se
