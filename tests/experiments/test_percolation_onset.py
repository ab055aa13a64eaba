"""The onset interval on synthetic accuracy curves with a known onset: it finds it, covers it
about as often as it claims, says when the onset lies beyond the trained λ; the design's onset
standard error matches the spread of simulated experiments."""

import math

import numpy as np
import pytest

from bumpdiff.experiments.percolation_onset import (
    can_tell_thresholds,
    design_power,
    interpolated_onset,
    onset_interval,
    onset_se,
    tracks_interval,
)

GRID = np.array([0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 1.0])
TRUE_ONSET, WIDTH, IMAGES = 0.27, 0.08, 128


def _curve(lam):
    """A learner whose accuracy crosses 0.5 at λ = 0.27 (a logistic in λ)."""
    return 1 / (1 + np.exp(-(np.asarray(lam) - TRUE_ONSET) / WIDTH))


def _experiment(rng, seeds=3, seed_sd=0.04, lam=GRID):
    """Per λ, each seed's accuracy: the curve, a seed effect and its images' binomial noise."""
    p = np.clip(_curve(lam)[:, None] + rng.normal(0, seed_sd, (len(lam), seeds)), 0, 1)
    return rng.binomial(IMAGES, p) / IMAGES


def test_interpolated_onset_known_cases():
    assert interpolated_onset([0.2, 0.4], [0.2, 0.6], 0.5) == pytest.approx(0.35)
    assert interpolated_onset([0.2, 0.4], [0.75, 0.9], 0.5) == pytest.approx(2 / 15)  # from (0, 0)
    assert interpolated_onset([0.2, 0.4], [0.1, 0.3], 0.5) == math.inf


def test_the_interval_finds_the_known_onset_and_excludes_thresholds_far_from_it():
    out = onset_interval(GRID, _experiment(np.random.default_rng(0)), IMAGES, 0.5)
    assert out["lo"] < TRUE_ONSET < out["hi"] and out["never"] == 0
    assert abs(out["estimate"] - TRUE_ONSET) < 0.03
    assert tracks_interval(TRUE_ONSET, out) is True
    assert tracks_interval(0.1, out) is False and tracks_interval(0.45, out) is False


def test_the_interval_covers_the_onset_about_as_often_as_it_claims():
    """40 repeats of the synthetic experiment: a 95 % interval that missed the true onset in
    more than 6 of them (p < 0.01 at 95 % coverage) would claim more than it holds."""
    rng = np.random.default_rng(1)
    missed = 0
    for trial in range(40):
        out = onset_interval(GRID, _experiment(rng), IMAGES, 0.5, repeats=400, seed=trial)
        missed += not (out["lo"] <= TRUE_ONSET <= out["hi"])
    assert missed <= 6


def test_an_onset_beyond_the_trained_fractions_is_not_tested():
    """Trained only up to λ = 0.2: the onset (0.27) is never reached; a λ_c above the last
    trained λ cannot be judged, one below it is contradicted."""
    lam = GRID[:3]
    out = onset_interval(lam, _experiment(np.random.default_rng(2), lam=lam), IMAGES, 0.5)
    assert out["estimate"] == math.inf and out["hi"] == math.inf and out["never"] > 0.5
    assert tracks_interval(0.3, out) is None and out["lo"] == pytest.approx(0.2)
    assert tracks_interval(0.1, out) is False
    assert tracks_interval(None, out) is True  # never percolates, never learned


def test_onset_se_predicts_the_spread_of_repeated_experiments():
    """At the onset the curve's slope is 1/(4·WIDTH); the standard deviation of the onsets of
    200 simulated experiments is within 25 % of the standard error the design predicts."""
    rng = np.random.default_rng(3)
    fine = np.linspace(0.05, 0.5, 10)
    onsets = [interpolated_onset(fine, _experiment(rng, lam=fine).mean(axis=1), 0.5)
              for _ in range(200)]  # fmt: skip
    predicted = onset_se(1 / (4 * WIDTH), 0.04, 0.5, IMAGES, seeds=3)
    assert np.std(onsets) == pytest.approx(predicted, rel=0.25)


def test_thresholds_are_told_apart_only_when_far_enough_for_the_se():
    assert can_tell_thresholds([0.16, 0.37], se=0.05) is True
    assert can_tell_thresholds([0.05, 0.10], se=0.05) is False
    assert can_tell_thresholds([0.05, None], se=0.01) is False  # one answer only


def _pilot(sd):
    """A pilot whose mean accuracy rises 0.2 → 0.6 between λ = 0.2 and 0.4 (slope 2 at the 0.5
    crossing, λ 0.35) with seeds ± sd around it; thresholds at λ_c 0.1 and 0.3."""
    lam, acc = [0.2, 0.4, 1.0], [0.2, 0.6, 0.9]
    trained = [{"sigma": 1.0, "fraction": f, "overall": [a - sd, a + sd]} for f, a in zip(lam, acc)]
    sims = [{"sigma": 1.0, "threshold": t, "critical": c} for t, c in ((0.005, 0.1), (0.05, 0.3))]
    widths = [{"sigma": 1.0, "fractions": lam, "accuracy": acc}]
    return {"simulation": sims, "trained": trained, "result": {"widths": widths}}


def test_design_power_reads_the_pilots_slope_and_spread():
    """Seeds ± 0.1 (SD 0.1·√2) and 100 images: SE = √(0.02 + 0.25/100)/√4 / 2 = 0.0375 with 4
    seeds; λ_c 0.1 and 0.3 are 5.3 such SE apart, 0.3 is 1.3 SE from the pilot's onset."""
    (row,) = design_power(_pilot(0.1), [0.05, 0.2, 0.4, 1.0], 4, 100, 0.5)
    assert row["slope"] == pytest.approx(2.0) and row["pilot_onset"] == pytest.approx(0.35)
    assert row["onset_se"] == pytest.approx(0.0375, rel=1e-3)
    assert row["tells_thresholds_apart"] and row["grid_brackets_each_critical"]
    assert row["critical_from_onset_in_se"]["0.05"] == pytest.approx(0.05 / 0.0375)
    (noisy,) = design_power(_pilot(0.4), [0.2, 0.4, 1.0], 2, 100, 0.5)
    assert not noisy["tells_thresholds_apart"]  # too few seeds for that spread
    assert not noisy["grid_brackets_each_critical"]  # λ_c 0.1 below the smallest trained λ
