"""The power analysis gives the seed count the closed form gives, on synthetic seeds with known
spreads; a design whose predictions coincide (the paper's dx = 0.1 / dy = 1 here) is not
decidable with any number of seeds, and one whose predictions' own uncertainty reaches the gap
needs more reference seeds first."""

import math

import numpy as np
import pytest

from bumpdiff.experiments.design_power import (
    blind_accuracy,
    choose_design,
    design_power,
    log_ratios,
    pooled_sd,
    seeds_needed,
)


def test_the_closed_form():
    # |Δ| = 0.3, sd = 0.12, exact predictions: n ≥ (3 · 0.12 / 0.3)² = 1.44 → 2
    assert seeds_needed(0.3, 0.12) == 2
    # sd = 0.3: n ≥ 9
    assert seeds_needed(0.3, 0.3) == 9
    # predictions uncertain by 0.06: n ≥ 0.09 / (0.01 - 0.0036) = 14.06 → 15
    assert seeds_needed(0.3, 0.3, 0.06) == 15
    assert seeds_needed(0.3, 0.3, 0.1) is None  # their own uncertainty already reaches Δ / 3
    assert seeds_needed(0.0, 0.1) is None


def test_synthetic_seeds_with_known_spreads():
    rng = np.random.default_rng(0)
    balanced = rng.normal(0.0, 0.05, size=3)
    references = rng.normal(0.5, 0.05, size=3)
    found = design_power(balanced, references, two_d_sd=0.12)
    se = math.hypot(balanced.std(ddof=1) / math.sqrt(3), references.std(ddof=1) / math.sqrt(3))
    delta = references.mean() - balanced.mean()
    expected = max(2, math.ceil(0.12**2 / ((delta / 3) ** 2 - se**2)))
    assert found["seeds_needed"] == expected and found["decidable"]
    assert found["difference"] == pytest.approx(delta)


def test_coinciding_predictions_cannot_be_decided():
    # the paper's setting here: 1.02x vs 1.01x (log ratios 0.020 and 0.010), seed sd 0.12
    found = design_power(np.log([1.0, 1.02, 1.01]), np.log([1.05, 0.96, 1.06]), two_d_sd=0.12)
    assert found["seeds_needed"] is None and not found["decidable"]


def test_log_ratios_skip_seeds_that_never_reached_the_level():
    assert list(log_ratios([200, np.nan, 100], [100, 50, 100])) == pytest.approx([math.log(2), 0])


def test_pooled_sd_pools_within_group_variance():
    # squares about the means: 2 (1 dof) and 8 (2 dof) → sqrt(10 / 3); a lone seed adds nothing
    assert pooled_sd([np.array([1.0, 3.0]), np.array([2.0, 4.0, 6.0]), np.array([9.0])]) == (
        pytest.approx(math.sqrt(10 / 3))
    )


def _refs(logs, reached=None):
    return {"data": {"sigma": 1.0}, "rows": [{"dx": 1.0, "dy": 1.0, "seeds": [0, 1, 2],
            "reached": len(logs) if reached is None else reached,
            "log_ratio50_per_seed": list(logs)}]}  # fmt: skip


def test_a_design_is_chosen_only_when_its_predictions_are_apart_and_every_seed_reached():
    prior = {"variants": [
        {"dx": 0.1, "dy": 1.0, "ratio50_per_seed": list(np.exp([0.1, 0.3, 0.2]))},
        {"dx": 1.0, "dy": 1.0, "ratio50_per_seed": list(np.exp([0.0, 0.02, -0.02]))},
    ]}  # fmt: skip
    found = choose_design(prior, {
        "apart": _refs([0.6, 0.62, 0.58]),  # log 1.8 against 0: a few seeds tell them apart
        "together": _refs([0.01, -0.01, 0.0]),  # the balanced data's ratio: nothing can
        "short": _refs([0.6, 0.62], reached=2),  # one seed never reached 50 %: train longer
        # apart too, but y's three values 1 px apart are all within 1 px of the middle one
        "band": {**_refs([0.6, 0.62, 0.58]),
                 "data": {"sigma": 1.0, "size": 12, "x_range": [2, 9], "y_range": [4, 6]}},
    })  # fmt: skip
    assert found["two_d_sd"] == pytest.approx(pooled_sd([[0.1, 0.3, 0.2], [0.0, 0.02, -0.02]]))
    by = {r["design"]: r for r in found["designs"]}
    assert found["chosen"] == ["apart"] and by["apart"]["seeds_needed"] == 2
    assert by["together"]["seeds_needed"] is None and not by["short"]["decidable"]
    assert by["band"]["seeds_needed"] == 2 and by["band"]["blind_y"] == 1.0
    assert not by["band"]["conditional"] and not by["band"]["decidable"]


@pytest.mark.parametrize(
    ("values", "tolerance", "blind"),
    [([4, 5, 6], 1.0, 1.0),  # the middle value is within 1 px of all three
     ([3, 5, 7], 1.0, 2 / 3),  # a bump at 4 is 1 px from 3 and from 5
     ([3, 6, 9], 1.0, 1 / 3),  # 3 px apart: one value at a time
     (list(range(2, 10)), 1.0, 3 / 8),  # 8 values 1 px apart: a value and its two neighbours
     (np.arange(20, 91) / 10, 1.0, 21 / 71),  # 0.1 px apart: 2 px hold 21 of 71
     (np.arange(20, 91) / 10, 0.25, 6 / 71)],  # read to 0.25 px: 0.5 px hold 6 of 71
)  # fmt: skip
def test_blind_accuracy_known_answers(values, tolerance, blind):
    """The share of an axis's values one position lies within tolerance of, counted by hand."""
    assert blind_accuracy(values, tolerance) == pytest.approx(blind)


def _study(logs, tolerance_x=None):
    return {"eval_tolerance": 1.0, "eval_tolerance_x": tolerance_x, "variants": [
        {"dx": 1.0, "dy": 1.0, "ratio50_per_seed": list(np.exp(logs))}]}  # fmt: skip


def test_a_design_read_finer_takes_its_coupled_prediction_from_its_own_balanced_study():
    """x read to 0.25 px: the balanced data read that way is slower on x too, and that (not the
    prior's 1 px reading) is what coupled learning predicts for the design."""
    prior = _study([0.0, 0.02, -0.02])
    refs = {**_refs([0.6, 0.62, 0.58]), "eval_tolerance": 1.0, "eval_tolerance_x": 0.25}
    own = _study([0.59, 0.61, 0.6], tolerance_x=0.25)  # balanced read finer: as slow on x
    found = choose_design(prior, {"finex": refs, "prior-read": refs}, coupled={"finex": own})
    by = {r["design"]: r for r in found["designs"]}
    assert by["finex"]["coupled"] == pytest.approx(0.6) and by["finex"]["seeds_needed"] is None
    assert by["finex"]["coupled_from"] == "own balanced study"
    assert by["prior-read"]["coupled"] == pytest.approx(0.0)  # without it: the prior's
    assert by["prior-read"]["coupled_from"] == "prior study" and found["chosen"] == ["prior-read"]


def test_a_balanced_study_read_otherwise_than_the_references_is_refused():
    refs = {**_refs([0.6, 0.62, 0.58]), "eval_tolerance": 1.0, "eval_tolerance_x": 0.25}
    with pytest.raises(ValueError, match="eval_tolerance_x"):
        choose_design(_study([0.0, 0.1]), {"finex": refs}, coupled={"finex": _study([0.0, 0.1])})
