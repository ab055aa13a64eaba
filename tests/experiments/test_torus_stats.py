import numpy as np
import pytest

from bumpdiff.config import ConfigError, TorusConfig
from bumpdiff.experiments.torus_stats import as_grid, geometry_row, sentences, terminal
from bumpdiff.probe.geometry import clifford_torus, coupled_torus
from bumpdiff.probe.reliability import split_half_reliability

RNG = np.random.default_rng(1)
N = 8


def _conditions():
    gx, gy = np.meshgrid(np.arange(N) * 1.5, np.arange(N) * 1.5, indexing="ij")
    return np.column_stack([gx.ravel(), gy.ravel()])


def _arrays(ideal: np.ndarray, noise: float, draws: int = 8, dims: int = 40) -> dict:
    """A layer whose per-condition mean is ``ideal`` rotated into ``dims`` dimensions, seen
    through ``draws`` noisy draws; the encoder is a random embedding."""
    q, _ = np.linalg.qr(RNG.normal(size=(dims, dims)))
    clean = ideal.reshape(N * N, -1) @ q[: ideal.shape[-1]]
    groups = clean[:, None] + RNG.normal(scale=noise, size=(N * N, draws, dims))
    return {
        "conditions": _conditions(),
        "means": groups.mean(axis=1),
        "half_a": groups[:, 0::2].mean(axis=1),
        "half_b": groups[:, 1::2].mean(axis=1),
        "encoder": RNG.normal(size=(N * N, 16)),
        "reliability": np.array(split_half_reliability(groups)),
    }


@pytest.mark.parametrize(
    "ideal, answer, h1",
    # an 8 x 8 sample of the 3D torus is too coarse for its loops to outlive the cut (the
    # geometry tests find both on 40 x 20): its topology is not asserted
    [(clifford_torus(N, N), "factorized", 2), (coupled_torus(N, N), "coupled", None)],
)
def test_terminal_names_each_ideal_torus_and_the_control_does_not(ideal, answer, h1):
    untrained = _arrays(np.zeros((N, N, 4)), noise=1.0)
    end = terminal(_arrays(ideal, noise=0.05), TorusConfig(), 0.5, untrained=untrained)
    assert end["answer"] == answer and end["halves"] == [answer, answer]
    assert end["untrained"]["verdict"] == "undetermined"
    assert end["permuted"]["verdict"] == "undetermined"
    assert h1 is None or end["long_lived"][1] == h1


def test_noise_means_are_undetermined_for_want_of_reliability():
    end = terminal(_arrays(np.zeros((N, N, 4)), noise=1.0), TorusConfig(), min_reliability=0.5)
    assert end["reliability"] < 0.5 and end["answer"] == "undetermined"


def test_geometry_row_of_a_clifford_torus():
    row = geometry_row(_conditions(), clifford_torus(N, N).reshape(N * N, 4), TorusConfig())
    assert row["effective_dimension"] == pytest.approx(4.0)
    assert row["top_share"] == pytest.approx(1.0) and len(row["spectrum"]) == 15
    assert row["x_on_y"] == pytest.approx(0.0, abs=1e-12)


def test_as_grid_places_rows_by_condition_and_refuses_a_thinned_lattice():
    cond = _conditions()
    values = cond.copy()
    order = RNG.permutation(len(cond))
    grid = as_grid(cond[order], values[order])
    assert grid[2, 5].tolist() == [3.0, 7.5]
    with pytest.raises(ConfigError, match="probe.max_conditions: the torus needs"):
        as_grid(cond[:-1], values[:-1])


def test_sentences_answer_each_claim():
    end = terminal(_arrays(clifford_torus(N, N), noise=0.05), TorusConfig(), 0.5)
    rows = [{"step": 9, "accuracy": 0.5, "effective_dimension": 4.1, "top": 4, "top_share": 0.9}]
    text = sentences(rows, end)
    assert "**factorized**" in text[0] and "**yes**: 2 long-lived" in text[1]
    assert "the untrained network: n/a" in text[0]


def _with_encoder(learned: np.ndarray, noise: float = 0.05, dims: int = 40):
    """A trained and an untrained layer of one network: both carry a large component that is
    factorized by construction (the conditioning encoder's separate x and y directions, a
    Clifford torus 3× the size); the trained one adds ``learned`` in other dimensions."""
    q, _ = np.linalg.qr(RNG.normal(size=(dims, dims)))
    encoder = 3 * clifford_torus(N, N)
    pad = np.zeros((N, N, learned.shape[-1]))
    arrays = []
    for ideal in (np.concatenate([encoder, learned], -1), np.concatenate([encoder, pad], -1)):
        clean = ideal.reshape(N * N, -1) @ q[: ideal.shape[-1]]
        groups = clean[:, None] + RNG.normal(scale=noise, size=(N * N, 8, dims))
        arrays.append({"conditions": _conditions(), "means": groups.mean(axis=1),
                       "half_a": groups[:, 0::2].mean(axis=1),
                       "half_b": groups[:, 1::2].mean(axis=1),
                       "encoder": RNG.normal(size=(N * N, 16)),
                       "reliability": np.array(split_half_reliability(groups))})  # fmt: skip
    return arrays


@pytest.mark.parametrize(
    "learned, answer", [(coupled_torus(N, N), "coupled"), (clifford_torus(N, N), "factorized")]
)
def test_the_learned_change_recovers_what_training_added_beneath_the_encoder(learned, answer):
    """The means alone say "factorized" whatever was learned (the encoder's part dominates);
    trained minus untrained recovers the learned geometry, each half of the draws alike."""
    trained, untrained = _with_encoder(learned)
    end = terminal(trained, TorusConfig(), 0.5, untrained=untrained)
    assert end["answer"] == "factorized"  # the confound: the encoder is factorized
    change = end["learned_change"]
    assert change["answer"] == answer and change["halves"] == [answer, answer]


def test_the_learned_change_of_an_unchanged_network_is_undetermined():
    trained, untrained = _with_encoder(np.zeros((N, N, 4)))
    end = terminal(trained, TorusConfig(), 0.5, untrained=untrained)
    assert end["learned_change"]["answer"] == "undetermined"  # noise only: no geometry


Q, _ = np.linalg.qr(RNG.normal(size=(40, 40)))  # one embedding for trained and untrained


def _with_input(response: np.ndarray, base: np.ndarray | None = None, noise: float = 0.01):
    """Arrays of a layer whose mean response at each input position (a periodic 8 × 8 grid) is
    ``response`` (+ ``base``, what an untrained layer already had), seen through noisy halves."""
    q = Q
    ideal = response if base is None else np.concatenate([base, response], -1)
    clean = ideal.reshape(N * N, -1) @ q[: ideal.shape[-1]]
    halves = [clean + RNG.normal(scale=noise, size=clean.shape) for _ in range(2)]
    arrays = _arrays(clifford_torus(N, N), 0.05)
    return arrays | {"input_positions": _conditions(), "input_means": (halves[0] + halves[1]) / 2,
                     "input_half_a": halves[0], "input_half_b": halves[1]}  # fmt: skip


@pytest.mark.parametrize(
    "response, answer", [(coupled_torus(N, N), "coupled"), (clifford_torus(N, N), "factorized")]
)
def test_the_response_to_the_input_position_is_judged_and_what_training_added_to_it(
    response, answer
):
    """Known answers through the same code: the response to where the input bump is names its
    torus; beneath a response the untrained layer already had (a Clifford torus here, so that
    the means alone mislead for the coupled case), trained minus untrained recovers it."""
    alone = terminal(_with_input(response), TorusConfig(), 0.5)
    assert alone["input"]["answer"] == answer
    had = clifford_torus(N, N) * 3
    trained = _with_input(response, had)
    untrained = _with_input(np.zeros_like(response), had)
    end = terminal(trained, TorusConfig(), 0.5, untrained=untrained)
    assert end["input_change"]["answer"] == answer
    assert (
        "response to where the input bump is"
        in sentences(
            [{"step": 9, "effective_dimension": 4.0, "top": 4, "top_share": 0.9, "accuracy": 1.0}],
            end,
        )[0]
    )
