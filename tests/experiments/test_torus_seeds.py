"""The torus verdicts over seeds on synthetic representations with known answers: a Clifford
torus and a coupled 3D torus beside random controls are named; a representation no nearer its
torus than its control (the conditioning encoder's, factorized by construction, in both) is
not; x-on-x and y-on-y tell aligned from not aligned."""

import numpy as np
import pytest

from bumpdiff.experiments.torus_seeds import alignment, beyond_controls
from bumpdiff.probe.geometry import clifford_torus, coupled_torus, factorization_stats

N, SEEDS = 8, 4


def _stats(grid):
    return factorization_stats(grid, periodic=True)


def _embedded(grid, rng, noise=0.01, dims=32):
    """The grid in a random ``dims``-D basis, with noise per point (one seed's network)."""
    basis = np.linalg.qr(rng.normal(size=(dims, dims)))[0][: grid.shape[-1]]
    return grid @ basis + rng.normal(0, noise, (*grid.shape[:2], dims))


def _encoder(rng):
    """What the conditioning encoder supplies: x and y on two separate circles (a Clifford
    torus), whatever the network learned."""
    return _embedded(clifford_torus(N, N), rng)


def _seeds(make, seed=0):
    rng = np.random.default_rng(seed)
    return [_stats(make(rng)) for _ in range(SEEDS)]


def _random(rng):
    return rng.normal(size=(N, N, 32))


@pytest.mark.parametrize(
    ("ideal", "answer"), [(clifford_torus, "factorized"), (coupled_torus, "coupled")]
)
def test_a_torus_nearer_its_ideal_than_every_control_is_named(ideal, answer):
    trained = _seeds(lambda rng: _embedded(ideal(N, N), rng))
    controls = {"untrained": _seeds(_random, 1), "shuffled": _seeds(_random, 2)}
    out = beyond_controls(trained, controls, N, N)
    assert out["answer"] == answer and out["closer"] == answer
    assert all(c["beyond"] for c in out["controls"].values())
    assert out["ideals_apart_in_se"][answer] > 3  # this design could tell the two apart


def test_the_encoders_torus_is_not_credited_to_learning():
    """Trained and untrained both carry the encoder's factorized torus: the means are named
    factorized, yet not beyond the untrained control, so the answer is undetermined."""
    trained, untrained = _seeds(_encoder, 3), _seeds(_encoder, 4)
    out = beyond_controls(trained, {"untrained": untrained, "shuffled": _seeds(_random, 5)}, N, N)
    assert out["closer"] == "factorized" and out["answer"] == "undetermined"
    assert not out["controls"]["untrained"]["beyond"] and out["controls"]["shuffled"]["beyond"]


def _unaligned(rng):
    """Each x step a different direction at each y (and each y step at each x): a 2D sheet
    whose displacements along one feature are not parallel."""
    return rng.normal(size=(N, N, 32)).cumsum(axis=0).cumsum(axis=1)


def test_alignment_tells_each_answer():
    nulls = {"untrained": _seeds(_random, 6)}
    assert alignment(_seeds(lambda rng: _embedded(clifford_torus(N, N), rng), 7), nulls)[
        "answer"] == "aligned"  # fmt: skip
    out = alignment(_seeds(_random, 8), nulls)
    assert out["answer"] == "not aligned" and out["x_on_x"]["mean"] < 0.5
    assert set(out["controls"]["untrained"]) == {"x_on_x", "y_on_y"}
    halfway = [{"x_on_x": v, "y_on_y": v} for v in (0.2, 0.8, 0.3, 0.7)]
    assert alignment(halfway, nulls)["answer"] == "undetermined"


def test_alignment_is_credited_to_training_only_beyond_every_control():
    """Trained sheets not aligned, controls aligned tori: lower than every control; trained and
    controls alike not aligned: not beyond them."""
    trained = _seeds(_unaligned, 10)
    tori = {"untrained": _seeds(lambda rng: _embedded(clifford_torus(N, N), rng), 11)}
    assert alignment(trained, tori)["learned"] == "lower than every control"
    assert alignment(trained, {"untrained": _seeds(_unaligned, 12)})["learned"] == (
        "not beyond its controls")  # fmt: skip
