"""The placement probe's pieces on inputs with known answers."""

import numpy as np
import pytest
import torch
from clouds import GRID, sheet

from bumpdiff.probe.placement import (
    crossed_inputs,
    crossed_shares,
    denoised_estimate,
    linear_cka,
    pull_toward_condition,
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


def test_the_readout_recovers_a_one_image_dataset_from_its_analytic_noise():
    """For data that is one image x*, the ideal ε at x_t is (x_t - sqrt(ᾱ) x*) / sqrt(1 - ᾱ);
    x̂₀ from it is x* at every t, and its bump reads as pulled all the way to the condition."""
    from bumpdiff.data import to_data_scale, to_model_scale
    from bumpdiff.scoring.detect import find_bumps

    mu = np.array([[7.0, 3.0]])
    yy, xx = np.mgrid[0:12, 0:12]
    image = np.exp(-((xx - 7.0) ** 2 + (yy - 3.0) ** 2) / 2)  # drawn here, not by the renderer
    x_star = torch.from_numpy(to_model_scale(image[None, None]).astype(np.float32))
    abar = torch.linspace(0.999, 0.001, 100)
    for t in (10, 50, 90):
        a = float(abar[t])
        x_t = a**0.5 * x_star + (1 - a) ** 0.5 * torch.randn(1, 1, 12, 12)
        eps = (x_t - a**0.5 * x_star) / (1 - a) ** 0.5
        x0 = denoised_estimate(x_t, eps, a)
        assert torch.allclose(x0, x_star, atol=1e-4)
        bumps = find_bumps(to_data_scale(x0[:, 0].numpy()), 0.25, 7)
        pull = pull_toward_condition(bumps.center, mu, np.array([[2.0, 8.0]]))
        assert pull["pull"] == pytest.approx(1.0, abs=0.05) and pull["at_condition"] == 1.0
