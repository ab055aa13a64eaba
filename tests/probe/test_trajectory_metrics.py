"""The trajectory measures on synthetic layers with a known answer, built here: a layer that
returns its input image (the bump leaking through: ordered by where it is generated, as are the
pixel and untrained controls, so nothing is learned), a layer that encodes the condition (C), and
one that encodes a fixed permutation of it, i.e. where a mislocating model puts the bump (B)."""

import numpy as np
import pytest

from bumpdiff.probe.trajectory_metrics import (
    committed_share,
    decision_t,
    decode_r2,
    measure_step,
    trajectory_phase,
)

SIZE, K = 12, 6
RNG = np.random.default_rng(0)
GRID = np.stack(np.meshgrid(np.arange(2, 10), np.arange(2, 10)), -1).reshape(-1, 2).astype(float)
PERM = RNG.permutation(len(GRID))
LEVELS = {999: 0.0, 500: 0.3, 100: 0.9}  # t → the bump's share of x_t (none, faint, clear)


def _bump(centre: np.ndarray) -> np.ndarray:
    rows, cols = np.mgrid[0:SIZE, 0:SIZE]
    return np.exp(-((cols - centre[0]) ** 2 + (rows - centre[1]) ** 2) / 2.0)


def _x_t(p: np.ndarray, level: float, seed: int) -> np.ndarray:
    """Inputs at one timestep: the bump at p scaled by ``level`` over unit noise, flattened."""
    noise = np.random.default_rng(seed).normal(size=(len(p), SIZE * SIZE))
    return level * 10 * np.stack([_bump(c).ravel() for c in p]) + noise


def _encode(values: np.ndarray, seed: int) -> np.ndarray:
    w = np.random.default_rng(seed).normal(size=(4, 48))
    u = (values - 5.5) / 3.5
    feats = np.tanh(np.concatenate([u, np.sin(2 * u)], axis=1) @ w)
    return feats + 0.05 * np.random.default_rng(seed + 1).normal(size=feats.shape)


def _steps(kind: str, mislocated: bool) -> list[dict]:
    mu = GRID
    p = GRID[PERM] if mislocated else GRID
    proj = np.random.default_rng(5).normal(size=(SIZE * SIZE, 48))
    rows = []
    for t, level in LEVELS.items():
        x = _x_t(p, level, seed=t)
        layer = {"leak": x @ proj, "condition": _encode(mu, 1), "permuted": _encode(p, 1)}[kind]
        reps = {
            "trained": layer,
            "untrained": x @ np.random.default_rng(7).normal(size=(SIZE * SIZE, 48)),
            "shuffled": x @ np.random.default_rng(8).normal(size=(SIZE * SIZE, 48)),
            "pixels": x,
        }
        step, embedding = measure_step(reps, mu, p, np.zeros(len(mu), int), K, 8)
        assert embedding.shape == (len(mu), 3)
        rows.append({"t": t, **step})
    return rows


def test_a_layer_that_returns_its_input_is_ordered_by_p_late_and_learns_nothing():
    steps = _steps("leak", mislocated=True)
    late = steps[-1]
    assert late["order_generated"] > 0.9 and late["order_generated_pixels"] > 0.9
    assert late["learned_generated_high"] < 0.05  # nothing beyond what the input holds
    assert late["order_generated_null"] < 0.65  # p re-assigned: chance
    assert trajectory_phase(steps, min_learned=0.05) == "A"


def test_a_layer_that_encodes_the_condition_is_c_at_every_step():
    steps = _steps("condition", mislocated=False)
    assert all(s["order_condition"] > 0.9 for s in steps)
    assert steps[0]["learned_condition_low"] > 0.2  # at pure noise no control is ordered
    assert trajectory_phase(steps, min_learned=0.05) == "C"


def test_a_layer_that_encodes_a_permutation_of_the_condition_is_b():
    steps = _steps("permuted", mislocated=True)
    assert steps[0]["order_generated"] > 0.9 and steps[0]["order_condition"] < 0.65
    assert steps[0]["learned_generated_low"] > 0.2
    assert trajectory_phase(steps, min_learned=0.05) == "B"


def test_decoding_finds_a_linear_code_and_not_noise():
    x = RNG.normal(size=(120, 20))
    assert decode_r2(x, x[:, 0] * 2 + 1) > 0.95
    assert decode_r2(x, RNG.normal(size=120)) < 0.1


def test_the_decision_is_the_highest_t_from_which_the_share_stays_up():
    centers_final = np.array([[3.0, 3.0], [5.0, 5.0]])
    near = committed_share(centers_final + 0.5, centers_final, tolerance=1.0)
    far = committed_share(centers_final + 3.0, centers_final, tolerance=1.0)
    assert (near, far) == (1.0, 0.0)
    # committed at 400: the share is up from 400 down, though a spike at 800 came and went
    shares = {999: 0.0, 800: 0.6, 600: 0.2, 400: 0.7, 200: 0.9, 0: 1.0}
    assert decision_t(shares) == 400
    assert decision_t({999: 0.1, 0: 0.3}) is None
    assert decision_t({999: 0.9, 500: 0.8, 0: 1.0}) == 999


@pytest.mark.parametrize(
    ("low", "high", "phase"), [(0.2, 0.4, "C"), (-0.02, 0.03, "A"), (0.0, 0.2, "undetermined")]
)
def test_the_phase_rule_can_say_each_answer(low, high, phase):
    step = {"learned_condition_low": low, "learned_condition_high": high,
            "learned_generated_low": -0.01, "learned_generated_high": 0.02}  # fmt: skip
    assert trajectory_phase([step], min_learned=0.05) == phase
    b = {**step, "learned_condition_low": -0.1, "learned_condition_high": 0.0,
         "learned_generated_low": 0.3, "learned_generated_high": 0.5}  # fmt: skip
    assert trajectory_phase([b], min_learned=0.05) == "B"


def test_the_trustworthiness_terms_average_to_sklearns_value():
    from bumpdiff.probe.metrics import trustworthiness
    from bumpdiff.probe.trajectory_metrics import trust_terms

    for points in (RNG.normal(size=(64, 10)), GRID + 0.01 * RNG.normal(size=GRID.shape)):
        assert 1 - trust_terms(GRID, points, K).mean() == pytest.approx(
            trustworthiness(GRID, points, K), abs=1e-12
        )
