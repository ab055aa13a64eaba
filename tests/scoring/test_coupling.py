"""The per-image coupling statistic on synthetic learners with a known answer: independent axes
(no excess: the interval holds 0), shared errors (a learner that gets both axes or neither:
an excess), axes that trade off (a deficit); too few images give NaN."""

import numpy as np

from bumpdiff.scoring.coupling import joint_excess

N = 4000


def test_independent_axes_give_no_excess():
    rng = np.random.default_rng(1)
    x, y = rng.random(N) < 0.6, rng.random(N) < 0.7
    found = joint_excess(x, y)
    assert found["excess_low"] < 0 < found["excess_high"]
    assert abs(found["joint"] - 0.42) < 0.03 and abs(found["product"] - 0.42) < 0.03


def test_shared_errors_give_an_excess():
    rng = np.random.default_rng(2)
    knows = rng.random(N) < 0.5  # a latent skill that places both axes at once
    x = np.where(knows, rng.random(N) < 0.95, rng.random(N) < 0.3)
    y = np.where(knows, rng.random(N) < 0.95, rng.random(N) < 0.3)
    found = joint_excess(x, y)
    assert found["excess_low"] > 0.05  # joint ≈ 0.50, product ≈ 0.39


def test_axes_that_trade_off_give_a_deficit():
    rng = np.random.default_rng(3)
    which = rng.random(N) < 0.5  # right on one axis or the other, rarely both
    x = which | (rng.random(N) < 0.1)
    y = ~which | (rng.random(N) < 0.1)
    assert joint_excess(x, y)["excess_high"] < 0


def test_too_few_images_give_nan():
    assert np.isnan(joint_excess(np.ones(5, bool), np.ones(5, bool))["excess"])
