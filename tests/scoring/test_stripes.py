"""Known answers for stripe and sum-of-stripes images, drawn here without the project's renderer."""

import numpy as np
import pytest

from bumpdiff.scoring.stripes import classify_stripes, find_stripes

N = 16
J = np.arange(N, dtype=float)
NAN = float("nan")


def g(mu, sigma=1.0):
    return np.exp(-((J - mu) ** 2) / (2 * sigma**2))


def vertical(x):
    return np.tile(g(x), (N, 1))  # rows identical: bright along the whole column x


def horizontal(y):
    return np.tile(g(y)[:, None], (1, N))


def bump(x, y):
    return np.outer(g(y), g(x))


CASES = [
    ("vertical stripe", vertical(4.3), (4.3, NAN), "correct"),
    ("horizontal stripe", horizontal(9.6), (NAN, 9.6), "correct"),
    ("sum of stripes", vertical(3.2) + horizontal(7.6), (3.2, 7.6), "correct"),
    ("on a raised background", vertical(6.0) + horizontal(11.0) + 0.5, (6.0, 11.0), "correct"),
    ("stripe at the frame's edge", vertical(0.0), (0.0, NAN), "correct"),
    ("SOS asked, vertical only", vertical(3.0), (3.0, 7.0), "none"),
    ("a 2D bump is not a sum of stripes", bump(5.0, 5.0), (5.0, 5.0), "none"),
    ("stripe asked, SOS drawn", vertical(3.0) + horizontal(7.0), (3.0, NAN), "multiple"),
    ("two vertical stripes", vertical(3.0) + vertical(10.0), (3.0, NAN), "multiple"),
    ("misplaced stripe", vertical(8.0), (3.0, NAN), "mislocated"),
    ("SOS with y misplaced", vertical(3.0) + horizontal(12.0), (3.0, 7.0), "mislocated"),
    ("half-length stripe", vertical(5.0) * (J[:, None] < 6), (5.0, NAN), "none"),
    ("blank", np.zeros((N, N)), (5.0, 5.0), "none"),
]


@pytest.mark.parametrize("name, image, target, outcome", CASES, ids=[c[0] for c in CASES])
def test_known_outcomes(name, image, target, outcome):
    result = classify_stripes(image[None], np.array([target]))
    assert result.outcome[0] == outcome


def test_centres_and_per_axis_correctness():
    result = classify_stripes(
        np.stack([vertical(3.2) + horizontal(7.6), vertical(8.0) + horizontal(7.0)]),
        np.array([[3.2, 7.6], [3.0, 7.0]]),
    )
    assert result.centers[0] == pytest.approx([3.2, 7.6], abs=0.02)  # log-parabola: exact
    assert result.x_correct.tolist() == [True, False]
    assert result.y_correct.tolist() == [True, True]
    assert result.n_bumps.tolist() == [2, 2]


def test_noise_does_not_change_the_outcome():
    rng = np.random.default_rng(0)
    images = np.stack([vertical(4.0) + horizontal(10.0) + rng.normal(0, 0.1, (N, N))
                       for _ in range(20)])  # fmt: skip
    result = classify_stripes(images, np.tile([4.0, 10.0], (20, 1)))
    assert (result.outcome == "correct").all()


def test_weak_stripes_fall_below_the_prominence():
    assert len(find_stripes(g(5.0) * 0.2, prominence=0.25)[0]) == 0
    positions, height = find_stripes(g(5.0) * 0.8, prominence=0.25)
    assert positions == pytest.approx([5.0], abs=1e-6) and height == pytest.approx(0.8, abs=1e-3)
