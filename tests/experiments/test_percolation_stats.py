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
