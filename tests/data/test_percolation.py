import numpy as np
import pytest
from scipy import integrate

from bumpdiff.data.percolation import (
    connect_radius,
    critical_fraction,
    largest_cluster_fraction,
    lattice_sites,
    overlap,
    percolation_curves,
    spans,
)


def _numerical_overlap(d, sigma, normalisation):
    """∫∫ g_a g_b over the plane by quadrature (no closed form used)."""

    def g(x, y, cx):
        return np.exp(-((x - cx) ** 2 + y**2) / (2 * sigma**2))

    lim = 10 * sigma + d

    def integral(cx):
        return integrate.dblquad(lambda y, x: g(x, y, 0) * g(x, y, cx), -lim, lim, -lim, lim)[0]

    cross = integral(d)
    if normalisation == "cosine":
        return cross / integral(0.0)
    if normalisation == "unit_peak":
        return cross
    mass = integrate.dblquad(lambda y, x: g(x, y, 0), -lim, lim, -lim, lim)[0]
    return cross / mass**2


@pytest.mark.parametrize("normalisation", ["cosine", "unit_mass", "unit_peak"])
@pytest.mark.parametrize("d, sigma", [(0.0, 1.0), (1.0, 1.0), (2.5, 0.7), (3.0, 2.0)])
def test_overlap_matches_numerical_integration(d, sigma, normalisation):
    assert overlap(d, sigma, normalisation) == pytest.approx(
        _numerical_overlap(d, sigma, normalisation), rel=1e-6
    )


def test_connect_radius_is_where_the_overlap_crosses_the_threshold():
    for sigma, thr, norm in [
        (1.0, 0.05, "cosine"),
        (0.5, 0.005, "unit_peak"),
        (1.0, 0.05, "unit_mass"),
    ]:
        r = connect_radius(sigma, thr, norm)
        assert overlap(r * 0.999, sigma, norm) > thr > overlap(r * 1.001, sigma, norm)
    assert connect_radius(3.0, 0.05, "unit_mass") == 0.0  # peak overlap 0.0088 < 0.05: never


def test_mass_ratio_limits_and_monotonicity():
    sites = lattice_sites(16, 16)
    fractions = np.linspace(0, 1, 21)
    curves = percolation_curves(sites, radius=1.01, fractions=fractions, repeats=5)
    mass, span = curves["mass"], curves["spans"]
    assert np.all(mass[:, 0] == 0) and np.all(mass[:, -1] == 1)
    assert np.all(np.diff(mass, axis=1) >= 0)
    assert not span[:, 0].any() and span[:, -1].all()
    assert np.all(np.diff(span.astype(int), axis=1) >= 0)
    assert largest_cluster_fraction(sites, np.zeros(256, bool), 1.01) == 0.0


def test_disconnected_sites_never_percolate():
    """A radius below the spacing joins nothing: each kept site is its own cluster."""
    sites = lattice_sites(10, 10)
    assert largest_cluster_fraction(sites, np.ones(100, bool), 0.99) == pytest.approx(0.01)


@pytest.mark.parametrize(
    "radius, known",
    [(1.01, 0.5927), (1.5, 0.4073)],  # square lattice: nearest neighbours; and next-nearest too
)
def test_critical_fraction_recovers_the_known_site_percolation_thresholds(radius, known):
    """Site percolation thresholds of the square lattice from the literature (Newman & Ziff
    2000; Malarz & Galam 2005); a 64x64 lattice shifts them by finite size."""
    fractions = np.arange(0.30, 0.80, 0.01)
    curves = percolation_curves(lattice_sites(64, 64), radius, fractions, repeats=16)
    assert critical_fraction(fractions, curves["spans"].mean(axis=0)) == pytest.approx(
        known, abs=0.03
    )


def test_long_links_percolate_early_and_the_flat_mass_curve_does_not_fool_it():
    """Links longer than the lattice: every kept site is one cluster, the mass ratio is just λ
    (no steep rise), yet the lattice percolates as soon as two opposite edges have a site."""
    fractions = np.linspace(0, 1, 51)
    curves = percolation_curves(lattice_sites(8, 8), 20.0, fractions, repeats=20)
    assert np.allclose(curves["mass"].mean(axis=0), fractions, atol=0.05)
    assert critical_fraction(fractions, curves["spans"].mean(axis=0)) < 0.1


def test_spanning_needs_one_cluster_across():
    sites = lattice_sites(5, 5)
    column = sites[:, 1] == 2  # a full row of sites, x = 0 .. 4
    assert spans(sites, column, 1.01)
    assert not spans(sites, column & (sites[:, 0] != 2), 1.01)  # broken in the middle


def test_a_lattice_that_never_connects_has_no_threshold():
    fractions = np.linspace(0, 1, 11)
    curves = percolation_curves(lattice_sites(8, 8), 0.5, fractions, repeats=3)
    assert critical_fraction(fractions, curves["spans"].mean(axis=0)) is None
