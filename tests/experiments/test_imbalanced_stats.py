"""Coupling statistics on synthetic curves with known lags."""

import numpy as np
import pytest

from bumpdiff.experiments.imbalanced_stats import (
    coupling_stats,
    coupling_verdict,
    curve_correlation,
    step_to_reach,
)

STEPS = np.array([0, 10, 20, 40, 80, 160, 320, 640, 1280])


def logistic(steps, midpoint, width=0.4):
    """Accuracy rising around ``midpoint`` on a log axis."""
    return 1 / (1 + np.exp(-(np.log1p(steps) - np.log1p(midpoint)) / width))


def test_step_to_reach_interpolates_on_the_log_axis():
    curve = np.array([0, 0, 0, 0.2, 0.8, 1, 1, 1, 1.0])
    s50 = step_to_reach(STEPS, curve, 0.5)
    assert 40 < s50 < 80
    assert s50 == pytest.approx(np.expm1((np.log1p(40) + np.log1p(80)) / 2))
    assert step_to_reach(STEPS, curve, 0.2) == 40
    assert np.isnan(step_to_reach(STEPS, curve * 0.4, 0.5))
    early = np.array([0, 0.6, 0, 0.2, 0.8, 1, 1, 1, 1.0])  # touches 0.5 by chance, falls back
    assert step_to_reach(STEPS, early, 0.5) == pytest.approx(s50)
    assert np.isnan(step_to_reach(STEPS, np.array([0, 0, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.3]), 0.5))


def test_known_lag_gives_the_known_ratio():
    x = logistic(STEPS, 320)
    y = logistic(STEPS, 80)  # y learned 4x earlier
    stats = coupling_stats(STEPS, x, y)
    assert stats["x_step50"] == pytest.approx(320, rel=0.05)
    assert stats["y_step50"] == pytest.approx(80, rel=0.05)
    assert stats["ratio50"] == pytest.approx(4.0, rel=0.1)
    same = coupling_stats(STEPS, x, x)
    assert same["ratio50"] == 1.0 and same["ratio90"] == 1.0 and same["curve_corr"] == 1.0
    assert curve_correlation(x, np.ones_like(x)) != curve_correlation(x, np.ones_like(x))  # NaN


def test_the_verdict_can_say_each_answer_and_says_undetermined_when_it_cannot_tell():
    assert coupling_verdict([1.1, 0.9, 1.0], [1.0, 1.05, 0.95], [4.0, 4.4, 3.7])[0] == "coupled"
    assert coupling_verdict([3.8, 4.1, 4.3], [1.0, 1.05, 0.95], [4.0, 4.4, 3.7])[0] == "factorized"
    # the predictions coincide: the design cannot tell
    assert coupling_verdict([1.0], [1.0], [1.2])[0] == "undetermined"
    # seeds scattered so widely that the measurement is near neither by two standard errors
    assert coupling_verdict([0.3, 9.0, 2.0], [1.0, 1.1, 0.9], [4.0, 4.2, 3.9])[0] == "undetermined"
    verdict, stats = coupling_verdict([], [1.0], [4.0])
    assert verdict == "undetermined" and np.isnan(stats["log_measured"])
