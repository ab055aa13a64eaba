import pytest

from bumpdiff.experiments.percolation_stats import (
    onset_bracket,
    summarise,
    threshold_verdict,
    tracks,
)


def test_onset_bracket_cases():
    lam = [0.1, 0.3, 0.6, 1.0]
    assert onset_bracket(lam, [0.0, 0.2, 0.7, 0.9], 0.5) == (0.3, 0.6)
    assert onset_bracket(lam, [0.6, 0.7, 0.8, 0.9], 0.5) == (0.0, 0.1)
    assert onset_bracket(lam, [0.0, 0.1, 0.2, 0.3], 0.5) is None
    assert onset_bracket(lam, [0.0, 0.6, 0.2, 0.9], 0.5) == (0.1, 0.3)  # the first crossing


def test_tracks_covers_every_answer():
    assert tracks(0.45, (0.3, 0.6), 1.0) is True
    assert tracks(0.2, (0.3, 0.6), 1.0) is False
    assert tracks(None, None, 1.0) is True  # never percolates, never learned
    assert tracks(None, (0.3, 0.6), 1.0) is False
    assert tracks(0.4, None, 1.0) is False  # percolates at 0.4 yet never learned up to 1.0
    assert tracks(0.8, None, 0.6) is None  # not tested: training stopped below λ_c


@pytest.mark.parametrize(
    "hits, verdict",
    [
        ([True, True], "yes"),
        ([False, False], "no"),
        ([True, False], "partly"),
        ([True, None], "undetermined"),
    ],  # fmt: skip
)
def test_threshold_verdict(hits, verdict):
    assert threshold_verdict(hits) == verdict


def _trained(sigma, accs):
    lam = [0.1, 0.3, 0.6, 1.0]
    return [{"sigma": sigma, "fraction": f, "overall": [a - 0.05, a + 0.05]}
            for f, a in zip(lam, accs)]  # fmt: skip


def test_summarise_on_a_synthetic_learner_that_follows_percolation():
    """Accuracy sets in where each width's simulated λ_c lies: "yes"; a threshold whose λ_c
    lies elsewhere: "no"."""
    trained = _trained(0.5, [0.0, 0.1, 0.8, 0.9]) + _trained(1.0, [0.1, 0.9, 0.9, 0.95])
    simulated = [
        {"sigma": 0.5, "threshold": 0.05, "critical": 0.45},
        {"sigma": 1.0, "threshold": 0.05, "critical": 0.2},
        {"sigma": 0.5, "threshold": 0.005, "critical": 0.05},
        {"sigma": 1.0, "threshold": 0.005, "critical": 0.02},
    ]
    result = summarise(simulated, trained, 0.5)
    assert result["verdicts"] == {"0.05": "yes", "0.005": "no"}
    assert result["widths"][0]["bracket"] == (0.3, 0.6)
    assert "**yes** (2 of 2 widths)" in result["sentences"][-2]


def test_with_evaluation_counts_the_verdict_comes_from_the_onsets_interval():
    """Accuracy crossing 50 % at λ ≈ 0.3 on a fine grid, 3 seeds of 128 images: a λ_c of 0.3
    lies in the onset's interval, one of 0.1 outside it; a width whose onset lies beyond the
    trained λ cannot be judged against a λ_c there."""
    lam = [0.1, 0.2, 0.3, 0.4, 0.5, 1.0]
    acc = {0.5: [0.05, 0.2, 0.5, 0.8, 0.9, 0.95], 1.0: [0.03, 0.05, 0.1, 0.15, 0.2, 0.3]}
    trained = [{"sigma": s, "fraction": f, "overall": [a - 0.02, a, a + 0.02],
                "evaluated": [128] * 3}
               for s, accs in acc.items() for f, a in zip(lam, accs)]  # fmt: skip
    simulated = [{"sigma": 0.5, "threshold": 0.05, "critical": 0.3},
                 {"sigma": 0.5, "threshold": 0.005, "critical": 0.1},
                 {"sigma": 1.0, "threshold": 0.05, "critical": 1.5},
                 {"sigma": 1.0, "threshold": 0.005, "critical": 0.5}]  # fmt: skip
    result = summarise(simulated, trained, 0.5)
    narrow = result["widths"][0]
    assert narrow["interval"]["lo"] < 0.3 < narrow["interval"]["hi"] < 0.4
    assert narrow["tracks"] == {0.05: True, 0.005: False}
    wide = result["widths"][1]
    assert wide["interval"]["estimate"] is None and wide["interval"]["hi"] is None
    assert wide["tracks"] == {0.05: None, 0.005: False}  # λ_c 0.5 lies below the unreached onset
    assert result["verdicts"] == {"0.05": "undetermined", "0.005": "no"}
    assert "95 % bootstrap interval" in result["sentences"][0]
