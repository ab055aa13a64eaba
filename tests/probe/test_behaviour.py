"""The generated positions' order, on positions with a known answer."""

import numpy as np
from clouds import GRID

from bumpdiff.probe.behaviour import behaviour_order


def test_positions_that_follow_the_conditions_are_ordered_and_shuffled_ones_are_not():
    rng = np.random.default_rng(0)
    cond = np.repeat(GRID, 2, axis=0)
    placed = cond + rng.normal(0, 0.2, cond.shape)
    good = behaviour_order(placed, cond)
    assert good["coverage"] == 1 and good["trustworthiness"] > 0.95 and good["r2_x"] > 0.95
    shuffled = behaviour_order(placed[rng.permutation(len(placed))], cond)
    assert shuffled["trustworthiness"] < 0.7 and shuffled["r2_x"] < 0.2


def test_images_without_a_bump_are_left_out_and_counted_in_coverage():
    cond = GRID[:20]
    centers = cond.copy()
    centers[::2] = np.nan
    out = behaviour_order(centers, cond)
    assert out["coverage"] == 0.5 and np.isfinite(out["trustworthiness"])
    none = behaviour_order(np.full_like(cond, np.nan), cond)
    assert none["coverage"] == 0 and np.isnan(none["trustworthiness"])


def test_the_null_sits_near_a_half_and_below_ordered_positions():
    """Positions handed to the conditions at random (144 of them) score about 0.5, a random
    map, and ordered positions score far above every draw of that null."""
    from bumpdiff.probe.behaviour import behaviour_order_null

    cond = np.repeat(GRID, 2, axis=0)
    null = behaviour_order_null(cond, knn=8, draws=300)
    assert len(null) == 300 and 0.45 < np.median(null) < 0.55
    assert np.quantile(null, 0.95) < 0.7
    placed = cond + np.random.default_rng(1).normal(0, 0.2, cond.shape)
    assert behaviour_order(placed, cond)["trustworthiness"] > np.quantile(null, 0.999)
