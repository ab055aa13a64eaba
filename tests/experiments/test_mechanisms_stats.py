"""The mechanisms answers on synthetic numbers with known answers: each order of snapping over
training, controls that do not reach an end, and the phase-A mosaic verdict on paired outcomes
that agree, disagree and fit nothing."""

import numpy as np

from bumpdiff.experiments.mechanisms_stats import (
    mosaic_answer,
    mosaic_verdict,
    paired_difference,
    snapping_answer,
    snapping_label,
)

CONTROLS = {"ideal": {"mean": 1.0, "se": 0.0, "one_bump": 1.0},
            "rendered": {"mean": 0.02, "se": 0.01, "one_bump": 1.0}}  # fmt: skip


def _rows(means, se=0.03, one_bump=0.9):
    return [
        {"step": 10 * i, "mean": m, "se": se, "one_bump": one_bump} for i, m in enumerate(means)
    ]


def test_each_order_over_training_is_named():
    cases = {
        (0.9, 0.8, 0.2, 0.1): "memorizes first, then generalizes",
        (0.1, 0.3, 0.8, 0.9): "generalizes first, then memorizes",
        (0.9, 0.8, 0.85): "memorizes throughout",
        (0.1, 0.2, 0.1): "generalizes throughout",
        (0.5, 0.48, 0.52): "undetermined",  # never decided: every mean within 2 SE of 0.5
        (0.9, 0.1, 0.9): "undetermined",  # no one order
    }
    for means, answer in cases.items():
        assert snapping_answer(_rows(means), CONTROLS)[1] == answer, means


def test_too_few_one_bump_images_or_a_control_that_misses_its_end_gives_undetermined():
    labels, answer, _ = snapping_answer(_rows((0.9, 0.1), one_bump=0.1), CONTROLS)
    assert answer == "undetermined" and set(labels.values()) == {"too few"}
    blind = {**CONTROLS, "rendered": {"mean": 0.7, "se": 0.02, "one_bump": 1.0}}
    answer, why = snapping_answer(_rows((0.9, 0.1)), blind)[1:]
    assert answer == "undetermined" and "rendered" in why


def test_the_label_reads_the_standard_error():
    assert snapping_label(0.6, 0.04, 1.0, 0.25, 2.0) == "snaps"
    assert snapping_label(0.6, 0.06, 1.0, 0.25, 2.0) == "between"
    assert snapping_label(0.4, 0.04, 1.0, 0.25, 2.0) == "follows"


def test_paired_difference_of_known_outcomes():
    a = np.array([1, 1, 0, 0] * 25)
    b = np.array([1, 0, 0, 0] * 25)
    found = paired_difference(a, b)
    assert np.isclose(found["difference"], -0.25)
    assert np.isclose(found["se"], np.std(b - a, ddof=1) / 10)


def test_mosaic_verdicts_for_agreeing_disagreeing_and_unfitted_networks():
    rng = np.random.default_rng(0)
    network = rng.random(400) < 0.6
    same = network.copy()
    same[:8] = ~same[:8]  # 2 % of the images differ
    assert mosaic_verdict(network, same, 0.5, 0.1)[0] == "yes"
    assert mosaic_verdict(network, np.zeros(400, bool), 0.5, 0.1)[0] == "no"
    answer, numbers = mosaic_verdict(network, same, -0.2, 0.1)
    assert answer == "no" and "fits no baseline" in numbers["why"]
    noisy = rng.random(20) < 0.6
    assert mosaic_verdict(network[:20], noisy, 0.5, 0.1)[0] == "undetermined"
    assert mosaic_answer(["yes", "yes"]) == "yes"
    assert mosaic_answer(["no", "no", "undetermined"]) == "no"
    assert mosaic_answer(["no", "undetermined", "undetermined"]) == "undetermined"
    assert mosaic_answer(["yes", "no", "no"]) == mosaic_answer([]) == "undetermined"


def test_the_best_fit_over_training_is_told_as_runs_of_checkpoints():
    from bumpdiff.experiments.mechanisms_stats import best_fit_runs

    found = best_fit_runs([0, 1, 10, 100, 1000], [None, "patch-3", "patch-3", "patch-7", "ideal"])
    assert found == "none (step 0), patch-3 (steps 1–10), patch-7 (step 100), ideal (step 1000)"
    ties = [None, "patch-5", "patch-5", None, None]
    found = best_fit_runs(
        [0, 1, 10, 100, 1000], [None, "patch-3", "patch-3", "ideal", "ideal"], ties
    )
    assert found == "none (step 0), patch-3 ≈ patch-5 (steps 1–10), ideal (steps 100–1000)"
