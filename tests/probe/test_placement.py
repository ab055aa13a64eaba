"""The placement probe's pieces on inputs with known answers."""

import numpy as np
import pytest
import torch
from clouds import GRID, sheet

from bumpdiff.probe.placement import (
    crossed_inputs,
    crossed_shares,
    linear_cka,
    pull_toward_condition,
    split_half_reliability,
)

RNG = np.random.default_rng(0)


def test_crossed_shares_recover_known_shares():
    m, v, d = 8, 6, 5
    f = RNG.normal(size=(m, d))
    g = RNG.normal(size=(v, d))
    f, g = f - f.mean(0), g - g.mean(0)
    additive = (f[:, None, :] + 2 * g[None, :, :]).reshape(m * v, d)
    shares = crossed_shares(additive, m, v)
    ss_f, ss_g = v * (f**2).sum(), m * 4 * (g**2).sum()
    assert shares["mu"] == pytest.approx(ss_f / (ss_f + ss_g))
    assert shares["nu"] == pytest.approx(ss_g / (ss_f + ss_g))
    assert shares["interaction"] == pytest.approx(0, abs=1e-12)
    assert crossed_shares(RNG.normal(size=(m * v, d)), m, v)["interaction"] > 0.5  # noise


def test_split_half_reliability_known_answers():
    means = sheet(0)[:40]
    same = np.repeat(means[:, None, :], 8, axis=1)
    assert split_half_reliability(same) == pytest.approx(1.0)
    noise = RNG.normal(size=(40, 8, 64))
    assert abs(split_half_reliability(noise)) < 0.15
    noisy = same + RNG.normal(0, 0.3, same.shape)
    assert 0.5 < split_half_reliability(noisy) < 1.0
    assert np.isnan(split_half_reliability(same[:, :1]))


def test_pull_toward_condition_known_answers():
    mu = np.array([[2.0, 2.0], [8.0, 2.0], [5.0, 5.0]])
    nu = np.array([[8.0, 8.0], [2.0, 2.0], [5.0, 5.5]])  # the last pair is too close: left out
    at_mu = pull_toward_condition(mu.copy(), mu, nu)
    assert at_mu["pull"] == 1.0 and at_mu["at_condition"] == 1.0 and at_mu["at_input"] == 0.0
    at_nu = pull_toward_condition(nu.copy(), mu, nu)
    assert at_nu["pull"] == 0.0 and at_nu["at_input"] == 1.0
    halfway = pull_toward_condition((mu + nu) / 2, mu, nu)
    assert halfway["pull"] == pytest.approx(0.5) and halfway["at_condition"] == 0.0
    none = pull_toward_condition(np.full_like(mu, np.nan), mu, nu)
    assert none["none"] == 1.0 and none["pull"] == 0.0


def test_linear_cka_is_one_for_a_rotation_and_low_for_unrelated():
    x = sheet(1)
    q, _ = np.linalg.qr(RNG.normal(size=(64, 64)))
    assert linear_cka(x, 3 * x @ q) == pytest.approx(1.0)
    assert linear_cka(x, RNG.normal(size=(len(x), 64))) < 0.3


def test_crossed_inputs_share_the_noise_of_a_position_across_conditions():
    mu = GRID[:3]
    nu = np.array([[2.0, 3.0], [6.0, 6.0]])
    abar = torch.linspace(0.99, 0.01, 50)
    x, cond, positions = crossed_inputs(mu, nu, 8, 1.0, 25, abar, seed=3)
    assert x.shape == (6, 1, 8, 8) and cond.shape == (6, 2) and positions.shape == (6, 2)
    assert torch.equal(x[0], x[2]) and torch.equal(x[1], x[5]) and not torch.equal(x[0], x[1])
    assert cond[:2].tolist() == [list(mu[0])] * 2 and positions[1].tolist() == [6.0, 6.0]
