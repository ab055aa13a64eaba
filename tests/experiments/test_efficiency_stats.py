import numpy as np
import pytest

from bumpdiff.experiments.efficiency_stats import (
    compare_exponents,
    exponent_with_se,
    needed_draws,
    power_law,
    size_to_reach,
)


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


CANVAS, IMAGES = [8, 12, 16, 24], 128
FRACTIONS = np.array([0.05, 0.1, 0.2, 0.4, 0.8])


def _learner(exponent, rng, seeds=3, seed_sd=0.03):
    """Accuracy on 2D bumps after training on n images of an N-canvas: a logistic in log n that
    reaches 60 % at n = c·N^exponent (c = 2 linear, 0.2 quadratic: inside the trained sizes);
    per canvas the sizes λ·N² and each seed's accuracies."""
    out, c = [], 2.0 if exponent == 1 else 0.2
    for n in CANVAS:
        sizes = FRACTIONS * n**2
        mid = np.log(c * n**exponent) - np.log(1.5) * 0.6  # logistic 0.6 at logit(0.6) = log 1.5
        p = 1 / (1 + np.exp(-(np.log(sizes) - mid) / 0.6))
        accs = np.clip(p[:, None] + rng.normal(0, seed_sd, (len(sizes), seeds)), 0, 1)
        out.append((sizes, rng.binomial(IMAGES, accs) / IMAGES))
    return out


def _fit(exponent, rng, seed=0):
    runs = _learner(exponent, rng)
    draws = [needed_draws(s, a, IMAGES, 0.6, repeats=300, seed=seed) for s, a in runs]
    return exponent_with_se(CANVAS, draws)


@pytest.mark.parametrize("exponent", [1.0, 2.0])
def test_the_exponent_and_its_se_recover_a_known_exponent(exponent):
    """20 synthetic experiments: the fitted exponent within 2 of its standard errors of the
    truth in at least 15 of them (a calibrated SE misses about 1 in 20)."""
    rng = np.random.default_rng(int(exponent))
    hits = 0
    for trial in range(20):
        fit = _fit(exponent, rng, trial)
        assert fit["used"] > 0.9 and 0 < fit["se"] < 0.3
        hits += abs(fit["exponent"] - exponent) < 2 * fit["se"]
    assert hits >= 15


def test_two_exponents_are_told_apart_only_when_they_differ():
    rng = np.random.default_rng(5)
    linear, quadratic, again = _fit(1.0, rng), _fit(2.0, rng, 1), _fit(2.0, rng, 2)
    differ = compare_exponents(quadratic, linear)
    assert differ["answer"] == "differ" and differ["difference"] == pytest.approx(-1, abs=0.3)
    assert differ["from_reference_in_se"]["bumps+stripes"]["1"] < 2 and differ["separable"]
    same = compare_exponents(quadratic, again)
    assert same["answer"] == "do not differ" and same["unit_difference_in_se"] >= 3
    assert compare_exponents(quadratic, None)["answer"] == "undetermined"


def test_a_no_difference_rules_out_a_unit_difference_only_with_small_errors():
    """Equal exponents measured with errors of 0.1 lie far from a difference of one; with
    errors of 0.4 (two nearby canvases, one seed) a difference of one is within reach."""

    def compared(se):
        return compare_exponents({"exponent": 2.0, "se": se}, {"exponent": 1.9, "se": se})

    assert compared(0.1)["unit_difference_in_se"] > 3 > compared(0.4)["unit_difference_in_se"]


def test_a_canvas_already_above_the_target_is_left_out_of_the_exponent():
    """A canvas whose smallest training set is already above 60 % (as stripes alone are at
    N = 8) has no interpolated size: the exponent comes from the canvases that bracket the
    target, recovers the learner's, and needs three of them."""
    rng = np.random.default_rng(3)
    draws = [needed_draws(s, a, IMAGES, 0.6, repeats=300) for s, a in _learner(1.0, rng)]
    above = needed_draws([10, 20], [[0.8, 0.85], [0.9, 0.95]], IMAGES, 0.6, repeats=300)
    assert np.isnan(above).all()
    fit = exponent_with_se([6, *CANVAS], [above, *draws])
    assert fit["canvases"] == CANVAS and abs(fit["exponent"] - 1.0) < 3 * fit["se"] < 0.6
    short = exponent_with_se([6, 8, 12], [above, *draws[:2]])
    assert short["exponent"] is None and short["se"] is None and short["canvases"] == [8, 12]
    assert exponent_with_se([6, 8], [above, above])["used"] == 0.0


def test_the_power_check_predicts_the_exponents_spread_from_a_two_canvas_pilot():
    """A pilot at N = 8 and 12 (3 seeds) predicts the exponent's standard error over the four
    canvases; 20 simulated experiments at those canvases spread about that much (within a
    factor 1.6), and the prediction says whether 1 and 2 are 3 of them apart."""
    from bumpdiff.experiments.efficiency_stats import exponent_power

    rng = np.random.default_rng(9)
    pilot = [{"dataset": "bumps", "size": n, "fraction": float(f), "images": [s],
              "accuracy": list(a), "evaluated": [IMAGES] * len(a)}
             for n, (sizes, accs) in zip(CANVAS, _learner(2.0, rng)) if n in (8, 12)
             for f, s, a in zip(FRACTIONS, sizes, accs)]  # fmt: skip
    power = exponent_power(pilot, {"bumps": CANVAS}, 3, 0.6, {})["bumps"]
    spread = np.std([_fit(2.0, rng, trial)["exponent"] for trial in range(20)], ddof=1)
    assert power["exponent_se"] == pytest.approx(spread, rel=0.6)
    assert power["tells_1_from_2"] == (1.0 >= 3 * power["exponent_se"])
    stripes = [{**r, "dataset": "bumps+stripes", "accuracy": [0.95] * 3} for r in pilot]
    assert exponent_power(stripes, {"bumps+stripes": CANVAS}, 3, 0.6, {})["bumps+stripes"][
        "exponent_se"] is None  # fmt: skip


def test_the_power_check_leaves_out_a_canvas_the_pilot_had_above_the_target():
    """Stripes alone above 60 % at N = 8 in the pilot: a design on N = 8, 12, 16 has two canvases
    left and cannot fit an exponent; one on 8, 12, 16, 24 predicts its error over 12, 16, 24."""
    from bumpdiff.experiments.efficiency_stats import exponent_power

    rng = np.random.default_rng(4)
    pilot = [{"dataset": "bumps+stripes", "size": n, "fraction": float(f), "images": [s],
              "accuracy": [0.9] * 3 if n == 8 else list(a), "evaluated": [IMAGES] * 3}
             for n, (sizes, accs) in zip(CANVAS, _learner(1.0, rng)) if n in (8, 12, 16)
             for f, s, a in zip(FRACTIONS, sizes, accs)]  # fmt: skip
    short = exponent_power(pilot, {"bumps+stripes": [8, 12, 16]}, 2, 0.6, {})["bumps+stripes"]
    assert short["no_crossing"] == [8] and short["canvases"] == [12, 16]
    assert short["exponent_se"] is None
    wide = exponent_power(pilot, {"bumps+stripes": [8, 12, 16, 24]}, 2, 0.6, {})["bumps+stripes"]
    assert wide["canvases"] == [12, 16, 24] and 0 < wide["exponent_se"] < 0.5
