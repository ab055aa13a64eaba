"""Power analysis of a coupling design, before its 2D runs (issue: "coupled or factorized,
decided"); pure functions.

A design predicts the 2D run's log step ratio (x's step to 50 % accuracy over y's) twice: coupled
learning predicts the balanced data's ratio, factorized learning the ratio of the two axes
learned alone (the 1D references). The 2D run measures that log ratio once per seed with a
seed-to-seed standard deviation ``sd``. With n seeds the two predictions are told apart when
they differ by at least ``z`` standard errors of the comparison:

    |Δ| ≥ z · sqrt(sd² / n + se_predictions²),  so  n = ceil(sd² / ((Δ / z)² − se_predictions²)),

and no number of 2D seeds suffices when the predictions' own uncertainty already reaches Δ / z
(then the references need more seeds first).
"""

from __future__ import annotations

import math

import numpy as np


def seeds_needed(
    delta: float, sd: float, se_predictions: float = 0.0, z: float = 3.0
) -> int | None:
    """The fewest 2D seeds for predictions ``delta`` apart (log ratio) to differ by ``z``
    standard errors; None when no number does (module docstring)."""
    room = (abs(delta) / z) ** 2 - se_predictions**2
    if room <= 0:
        return None
    return max(2, math.ceil(sd**2 / room - 1e-9))  # two seeds at least: an SD needs them


def log_ratios(x_steps: np.ndarray, y_steps: np.ndarray) -> np.ndarray:
    """Per seed: log(step x reaches the level / step y does), seeds with both."""
    x, y = np.asarray(x_steps, float), np.asarray(y_steps, float)
    ok = np.isfinite(x) & np.isfinite(y) & (x > 0) & (y > 0)
    return np.log(x[ok] / y[ok])


def design_power(
    balanced: np.ndarray,
    references: np.ndarray,
    two_d_sd: float,
    z: float = 3.0,
    max_seeds: int = 10,
) -> dict:
    """One design's power: ``balanced`` and ``references`` are per-seed log ratios (the coupled
    and the factorized prediction's measurements), ``two_d_sd`` the 2D measurement's per-seed
    standard deviation (from earlier runs). Returns both predictions with their standard errors,
    their difference, the seeds needed and whether that is within ``max_seeds``."""  # fmt: skip
    balanced, references = np.asarray(balanced, float), np.asarray(references, float)
    coupled, factorized = float(balanced.mean()), float(references.mean())
    se = [float(v.std(ddof=1) / math.sqrt(len(v))) if len(v) > 1 else math.inf
          for v in (balanced, references)]  # fmt: skip
    se_predictions = math.hypot(*se)
    need = seeds_needed(factorized - coupled, two_d_sd, se_predictions, z)
    return {
        "coupled": coupled, "coupled_se": se[0], "factorized": factorized,
        "factorized_se": se[1], "difference": factorized - coupled,
        "two_d_sd": two_d_sd, "seeds_needed": need,
        "decidable": need is not None and need <= max_seeds,
    }  # fmt: skip
