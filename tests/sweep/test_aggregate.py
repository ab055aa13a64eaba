"""Aggregation statistics on synthetic rows with known means and spreads."""

import numpy as np
import pandas as pd
import pytest

from bumpdiff.scoring.outcomes import OUTCOMES
from bumpdiff.sweep.aggregate import behaviour_in_order, bootstrap_band, curves


def test_the_band_covers_the_mean_at_the_stated_rate():
    """Seeds drawn from N(0.5, 0.1): the 95 % band of the mean of 10 seeds covers 0.5 close to
    95 % of the time (a bootstrap is a little narrow with so few values: at least 85 %)."""
    rng = np.random.default_rng(0)
    covered = 0
    for trial in range(200):
        lo, hi = bootstrap_band(rng.normal(0.5, 0.1, 10), n_boot=500, seed=trial)
        covered += lo <= 0.5 <= hi
    assert 0.85 <= covered / 200 <= 0.99


def test_identical_seeds_give_a_zero_width_band_and_one_seed_none():
    assert bootstrap_band(np.full(4, 0.3)) == pytest.approx((0.3, 0.3))
    assert all(np.isnan(bootstrap_band(np.array([0.3]))))


def test_curves_give_the_mean_and_count_per_group_and_step():
    rows = pd.DataFrame(
        {
            "group": ["a"] * 4 + ["b"] * 2,
            "step": [0, 0, 10, 10, 0, 0],
            "accuracy": [0.0, 0.2, 0.5, 0.7, 1.0, 1.0],
        }
    )
    table = curves(rows, ["accuracy"]).set_index(["group", "step"])
    assert table.loc[("a", 0), "accuracy_mean"] == pytest.approx(0.1)
    assert table.loc[("a", 10), "accuracy_mean"] == pytest.approx(0.6)
    assert table.loc[("a", 10), "seeds"] == 2
    assert table.loc[("b", 0), "accuracy_lo"] == table.loc[("b", 0), "accuracy_hi"] == 1.0
    assert 0.5 <= table.loc[("a", 10), "accuracy_lo"] <= 0.6 <= table.loc[("a", 10), "accuracy_hi"]


def _f(dominant: str) -> dict:
    f = {o: 0.1 for o in ("none", "multiple", "mislocated", "correct")}
    f[dominant] = 0.7
    return f


@pytest.mark.parametrize(
    ("sequence", "expected"),
    [
        (["multiple", "mislocated", "correct"], True),
        (["multiple", "none", "mislocated", "mislocated", "correct"], True),  # none skipped
        (["multiple", "correct"], False),  # no mislocated stage
        (["multiple", "mislocated", "correct", "mislocated"], False),  # went back
    ],
)
def test_the_behaviour_order_can_say_each_answer(sequence, expected):
    assert behaviour_in_order([_f(d) for d in sequence]) is expected


@pytest.mark.parametrize(
    ("phases", "outcomes", "says"),
    [
        (["A", "C", "C"], ["multiple", "mislocated", "correct"], "leads"),
        (["A", "relay", "C"], ["multiple", "mislocated", "correct"], "coincides"),
        (["A", "A", "C"], ["multiple", "correct", "correct"], "lags"),
        (["A", "A", "A"], ["multiple", "correct", "correct"], "n/a"),
    ],
)
def test_the_layer_can_lead_coincide_with_or_lag_the_behaviour(phases, outcomes, says):
    from bumpdiff.store.records import PhaseEntry, PhaseProbe
    from bumpdiff.sweep.aggregate import lead_or_lag

    probe = PhaseProbe(**{k: 0.5 for k in PhaseProbe.model_fields})
    entries = [
        PhaseEntry(
            step=10 * i,
            phase=p,
            accuracy=0.0,
            fractions=_f(o),
            x_accuracy=0,
            y_accuracy=0,
            r2_x=0,
            r2_y=0,
            probe=probe,
            sampler="ddpm-100",
        )  # fmt: skip
        for i, (p, o) in enumerate(zip(phases, outcomes))
    ]
    assert lead_or_lag(entries) == says
    assert lead_or_lag(entries, "B", "mislocated") == "n/a"  # the layer is never B here


@pytest.mark.parametrize(
    ("phases", "says"),
    [(["B", "A", "C"], "leads"), (["A", "B", "C"], "coincides"), (["A", "A", "B"], "lags")],
)
def test_the_layer_b_is_timed_against_the_mislocated_stage(phases, says):
    from types import SimpleNamespace

    from bumpdiff.sweep.aggregate import lead_or_lag

    outcomes = ["multiple", "mislocated", "mislocated"]
    entries = [SimpleNamespace(step=10 * i, phase=p, fractions=_f(o))
               for i, (p, o) in enumerate(zip(phases, outcomes))]  # fmt: skip
    assert lead_or_lag(entries, "B", "mislocated") == says


def _rows(group, fractions_by_step, seeds=(0, 1)):
    out = []
    for seed in seeds:
        for step, frac in fractions_by_step.items():
            out.append({"group": group, "seed": seed, "step": step,
                        **{f"frac_{o}": frac.get(o, 0.0) for o in OUTCOMES}})  # fmt: skip
    return out


def test_moved_settings_finds_the_largest_move_and_where():
    from bumpdiff.sweep.aggregate import moved_settings

    rows = pd.DataFrame(
        _rows("quick", {10: {"multiple": 1.0}, 100: {"correct": 0.8, "none": 0.2}})
        + _rows("lr", {10: {"multiple": 1.0}, 100: {"correct": 0.5, "mislocated": 0.3,
                                                     "none": 0.2}})
        + _rows("sigma", {10: {"multiple": 0.9, "none": 0.1}, 100: {"correct": 0.75,
                                                                     "none": 0.25}})
        + _rows("other-steps", {20: {"none": 1.0}})
    )  # fmt: skip
    moved = moved_settings(rows, "quick", 0.15)
    assert moved["lr"]["step"] == 100 and moved["lr"]["move"] == pytest.approx(0.3)
    assert moved["lr"]["outcome"] in ("correct", "mislocated") and moved["lr"]["more"]
    assert moved["sigma"]["move"] == pytest.approx(0.1) and not moved["sigma"]["more"]
    assert moved["other-steps"]["move"] is None and not moved["other-steps"]["more"]
    assert moved_settings(rows, "absent", 0.15) == {}


def test_stage_onsets_are_the_first_dominant_steps():
    from types import SimpleNamespace

    from bumpdiff.sweep.aggregate import stage_onsets

    seq = [(1, "multiple"), (5, "multiple"), (9, "mislocated"), (20, "correct"), (40, "correct")]
    entries = [SimpleNamespace(step=s, fractions={o: float(o == d) for o in OUTCOMES})
               for s, d in seq]  # fmt: skip
    assert stage_onsets(entries) == {"multiple": 1, "mislocated": 9, "correct": 20}
    assert stage_onsets(entries[:2]) == {"multiple": 1, "mislocated": None, "correct": None}


def test_members_left_out_are_named_with_why():
    from bumpdiff.sweep.aggregate import _left_out

    status = {"a": {"status": "done"}, "b": {"status": "failed"}, "c": {"status": "pending"}}
    assert _left_out(status) == {"failed": ["b"], "not finished": ["c"]}


def test_the_positions_order_is_listed_under_the_stage_that_dominates():
    from types import SimpleNamespace

    from bumpdiff.sweep.aggregate import _stage_medians, order_by_stage

    seq = [("multiple", 0.5), ("none", 0.9), ("mislocated", 0.52), ("mislocated", float("nan")),
           ("mislocated", 0.6), ("correct", 0.97)]  # fmt: skip
    entries = [SimpleNamespace(fractions=_f(d), behaviour={"trustworthiness": t}) for d, t in seq]
    entries.append(SimpleNamespace(fractions=_f("correct"), behaviour={}))  # not measured
    order = order_by_stage(entries)
    assert order == {"multiple": [0.5], "mislocated": [0.52, 0.6], "correct": [0.97]}
    two_seeds = _stage_medians([order, {"multiple": [], "mislocated": [0.7], "correct": []}])
    assert two_seeds == {"multiple": 0.5, "mislocated": pytest.approx(0.6), "correct": 0.97}
    assert _stage_medians([{"multiple": [], "mislocated": [], "correct": []}])["correct"] is None


@pytest.mark.parametrize(
    ("sequence", "path"),
    [
        (["multiple", "none", "mislocated", "correct"], "in order"),
        (["multiple", "mislocated", "correct", "mislocated"], "went back"),
        (["multiple", "multiple", "correct"], "skipped mislocated"),
        (["multiple", "mislocated", "mislocated"], "no correct by the end"),
        (["multiple", "multiple"], "no correct by the end"),
        (["mislocated", "correct"], "no multiple stage"),
    ],
)
def test_the_behaviour_path_says_why_a_run_is_not_in_order(sequence, path):
    from bumpdiff.sweep.aggregate import behaviour_path

    fractions = [_f(d) for d in sequence]
    assert behaviour_path(fractions) == path
    assert behaviour_in_order(fractions) is (path == "in order")
