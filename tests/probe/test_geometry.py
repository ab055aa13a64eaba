import numpy as np
import pytest

from bumpdiff.probe.geometry import (
    clifford_torus,
    closer_torus,
    coupled_torus,
    displacements,
    factorization_stats,
    long_lived,
    pca_spectrum,
    persistence,
)
from bumpdiff.probe.metrics import participation_ratio

RNG = np.random.default_rng(0)


def _circle(n=40):
    a = 2 * np.pi * np.arange(n) / n
    return np.c_[np.cos(a), np.sin(a)]


def _sphere(n=400):
    s = RNG.normal(size=(n, 3))
    return s / np.linalg.norm(s, axis=1, keepdims=True)


@pytest.mark.parametrize(
    "points, dimension",
    [
        (_circle(), 2.0),
        (_sphere(2000), 3.0),
        (clifford_torus(20, 20).reshape(-1, 4), 4.0),
        (RNG.normal(size=(5000, 6)), 6.0),
    ],
)
def test_participation_ratio_of_known_shapes(points, dimension):
    assert participation_ratio(points) == pytest.approx(dimension, rel=0.05)


def test_coupled_torus_effective_dimension_from_its_variances():
    """(R + r cos b)(cos a, sin a), r sin b: variances (R² + r²/2)/2 twice and r²/2."""
    lam = np.array([(4 + 0.5) / 2, (4 + 0.5) / 2, 0.5])
    expected = lam.sum() ** 2 / (lam**2).sum()
    assert participation_ratio(coupled_torus(40, 40).reshape(-1, 3)) == pytest.approx(expected)


def test_pca_spectrum_of_an_anisotropic_cloud():
    cloud = RNG.normal(size=(20000, 3)) * np.array([3.0, 2.0, 1.0])
    spectrum = pca_spectrum(cloud, k=5)
    assert spectrum == pytest.approx([9 / 14, 4 / 14, 1 / 14, 0, 0], abs=0.01)


@pytest.mark.parametrize(
    "points, h0, h1",
    [
        (_circle(), 1, 1),
        (clifford_torus(20, 20).reshape(-1, 4), 1, 2),
        (coupled_torus(40, 20).reshape(-1, 3), 1, 2),
        (_sphere(), 1, 0),
        (RNG.normal(size=(300, 3)), 1, 0),
    ],
    ids=["circle", "clifford", "coupled", "sphere", "random"],
)
def test_long_lived_features_count_the_loops(points, h0, h1):
    assert long_lived(points, persistence(points)) == [h0, h1]


def test_factorization_stats_of_the_ideal_tori():
    assert factorization_stats(clifford_torus(12, 12), periodic=True) == pytest.approx(
        {"x_on_y": 0.0, "x_on_x": 1.0, "y_on_y": 1.0}, abs=1e-12
    )
    coupled = factorization_stats(coupled_torus(12, 12), periodic=True)
    assert coupled["x_on_x"] == pytest.approx(1.0)  # x steps only scale with y
    assert coupled["y_on_y"] < 0.6 and coupled["x_on_y"] > 0.3


def test_factorized_torus_in_a_rotated_higher_space_stays_factorized():
    """A random rotation into 30 dimensions plus small noise: the statistics are invariant."""
    q, _ = np.linalg.qr(RNG.normal(size=(30, 30)))
    grid = clifford_torus(10, 10) @ q[:4] + RNG.normal(scale=0.01, size=(10, 10, 30))
    stats = factorization_stats(grid, periodic=True)
    assert closer_torus(stats, 10, 10)["verdict"] == "factorized"
    coupled = coupled_torus(10, 10) @ q[:3] + RNG.normal(scale=0.01, size=(10, 10, 30))
    assert closer_torus(factorization_stats(coupled, True), 10, 10)["verdict"] == "coupled"


def test_a_random_representation_is_neither_torus():
    stats = factorization_stats(RNG.normal(size=(10, 10, 20)), periodic=True)
    assert stats["x_on_x"] == pytest.approx(0, abs=0.05)
    assert closer_torus(stats, 10, 10)["verdict"] == "undetermined"


def test_open_lattice_displacements_do_not_wrap():
    """On a non-periodic sheet r = (i, j) every x step is (1, 0), every y step (0, 1)."""
    i, j = np.meshgrid(np.arange(5.0), np.arange(4.0), indexing="ij")
    stats = factorization_stats(np.stack([i, j], axis=-1), periodic=False)
    assert stats == pytest.approx({"x_on_y": 0.0, "x_on_x": 1.0, "y_on_y": 1.0})
    dx, dy = displacements(np.stack([i, j], axis=-1), periodic=False)
    assert dx.shape == (4, 4, 2) and dy.shape == (5, 3, 2)
    wrapped, _ = displacements(np.stack([i, j], axis=-1), periodic=True)
    assert wrapped.shape == (5, 4, 2) and np.all(wrapped[-1, :, 0] == -4)  # 4 -> 0
