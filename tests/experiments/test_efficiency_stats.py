import numpy as np
import pytest

from bumpdiff.experiments.efficiency_stats import power_law, size_to_reach


def test_size_to_reach_interpolates_in_log_size():
    out = size_to_reach([10, 40, 160], [0.2, 0.5, 0.7], 0.6)
    assert out["bound"] == "exact" and out["value"] == pytest.approx(80.0)  # halfway in log
    assert size_to_reach([10, 40], [0.7, 0.9], 0.6) == {"value": 10.0, "bound": "at_most"}
    assert size_to_reach([10, 40], [0.1, 0.2], 0.6) == {"value": None, "bound": "none"}


@pytest.mark.parametrize("exponent", [1.0, 2.0])
def test_power_law_recovers_a_known_exponent(exponent):
    sizes = [8, 12, 16, 24]
    fit = power_law(sizes, [3.0 * n**exponent for n in sizes])
    assert fit["exponent"] == pytest.approx(exponent) and fit["prefactor"] == pytest.approx(3.0)
    assert fit["se"] == pytest.approx(0.0, abs=1e-9)


def test_power_law_needs_two_points_and_reports_noise():
    assert power_law([8, 12], [None, 50.0]) is None
    rng = np.random.default_rng(0)
    sizes = [8, 12, 16, 24, 32]
    noisy = [n**1.5 * np.exp(rng.normal(0, 0.2)) for n in sizes]
    fit = power_law(sizes, noisy)
    assert fit["se"] > 0 and abs(fit["exponent"] - 1.5) < 4 * fit["se"]
