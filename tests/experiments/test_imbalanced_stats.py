"""Coupling statistics on synthetic curves with known lags."""

import numpy as np
import pytest

from bumpdiff.experiments.imbalanced_stats import (
    coupling_stats,
    coupling_verdict,
    curve_correlation,
    excess_answer,
    learning_excess,
    step_to_reach,
)
from bumpdiff.scoring.coupling import joint_excess

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


def _seed_excess(seed: int, shared: bool) -> float:
    """A synthetic learner's run: at each checkpoint 400 images, each axis right with the
    checkpoint's accuracy; with ``shared``, y is right exactly when x is on 60 % of images (one
    error source for both), independently otherwise. Through joint_excess and learning_excess."""
    rng = np.random.default_rng(seed)
    acc = np.array([0.0, 0.05, 0.2, 0.4, 0.6, 0.8, 0.95, 1.0])
    excess = []
    for p in acc:
        x = rng.random(400) < p
        y = np.where(shared & (rng.random(400) < 0.6), x, rng.random(400) < p)
        excess.append(joint_excess(x, y, n_boot=50, seed=seed)["excess"])
    return learning_excess(acc, acc, excess)


@pytest.mark.parametrize(("shared", "answer"), [(False, "no excess detected"), (True, "excess")])
def test_the_per_image_statistic_tells_shared_errors_from_independent_ones(shared, answer):
    per_seed = [_seed_excess(seed, shared) for seed in range(5)]
    found, mean, se = excess_answer(per_seed)
    assert found == answer, (mean, se)
    if shared:  # P(x∧y) − p² = 0.6·p(1 − p); p(1 − p) over the window: 0.16, 0.24, 0.24, 0.16
        assert mean == pytest.approx(0.6 * 0.2, abs=0.03)


def test_learning_excess_reads_only_checkpoints_where_both_axes_are_learned():
    x = np.array([0.0, 0.5, 0.5, 1.0])
    y = np.array([0.0, 0.5, 0.95, 1.0])
    assert learning_excess(x, y, [9.0, 0.1, 9.0, 9.0]) == pytest.approx(0.1)
    assert np.isnan(learning_excess([0.0, 1.0], [0.0, 1.0], [0.1, 0.1]))
    assert excess_answer([0.1])[0] == "not measured"
    assert excess_answer([-0.1, -0.11, -0.09])[0] == "deficit"
