"""Strided DDPM and the stochastic solvers on DDPM-T's Brownian path: exact marginals, DDPM-T
itself at stride 1, the fine path's noise composing into the strided step's, and each solver
keeping its known distribution while following the path."""

import sys

import numpy as np
import pytest
import torch
from gaussian_score import GaussianScore
from scipy import stats

from bumpdiff.config import DiffusionConfig
from bumpdiff.diffusion.brownian import (
    combination,
    sample_on_brownian_path,
    sample_solver_on_brownian_path,
    step_coefficients,
)
from bumpdiff.diffusion.network import init_model
from bumpdiff.diffusion.schedule import alphas_cumprod, make_scheduler, sample


def _abar(tiny):
    return make_scheduler(tiny.diffusion).alphas_cumprod.to(torch.float64)


def test_at_stride_one_it_is_ddpm_with_every_step(tiny):
    model = init_model(tiny).eval()
    cond = torch.tensor([[2.0, 3.0], [5.0, 5.0], [3.0, 6.0]])
    seeds = [4, 5, 6]
    reference = sample(model, cond, tiny.diffusion, "ddpm", 50, seeds)
    coupled = sample_on_brownian_path(model, cond, tiny.diffusion, 50, seeds)
    torch.testing.assert_close(coupled, reference, atol=1e-4, rtol=1e-4)


def test_the_fine_noises_compose_into_the_strided_steps_noise(tiny):
    """With x̂₀ fixed, composing the fine steps t → s gives mean coefficients and a noise
    variance Σ c_k² equal to the strided posterior's: the weights are the right ones."""
    abar = _abar(tiny)
    t, s = 30, 20
    coef_x0, coef_xt, std = step_coefficients(abar, t, s)
    a, b, var = 1.0, 0.0, 0.0  # x_s = a x_t + b x̂₀ + noise of variance var, composed step by step
    for k in range(t, s, -1):
        c0, ct, sk = step_coefficients(abar, k, k - 1)
        a, b, var = ct * a, ct * b + c0, ct**2 * var + sk**2
    assert np.isclose(a, coef_xt) and np.isclose(b, coef_x0) and np.isclose(var, std**2)
    w = combination(abar, t, s)
    assert w.shape == (10,) and torch.isclose(w.norm(), torch.tensor(1.0))


def test_a_coupled_strided_step_has_the_strided_steps_marginal(tiny):
    """x_s = μ + σ z with z = Σ w_k z_k from 20,000 independent fine paths: a KS test against
    N(μ, σ²) of the strided DDPM step (fixed seed), and the first moments."""
    abar = _abar(tiny)
    t, s = 45, 35
    coef_x0, coef_xt, std = step_coefficients(abar, t, s)
    x_t, x0_hat = 0.3, -0.2
    mean = coef_x0 * x0_hat + coef_xt * x_t
    fine = torch.randn((20000, 10), generator=torch.Generator().manual_seed(0))
    x_s = mean + std * (fine @ combination(abar, t, s)).numpy()
    assert stats.kstest(x_s, "norm", args=(mean, std)).pvalue > 0.01
    assert abs(x_s.mean() - mean) < 3 * std / np.sqrt(20000)
    assert abs(x_s.std() / std - 1) < 0.02


def test_coupled_strided_samples_follow_the_fine_path(tiny):
    """Same seeds: the strided partner of DDPM-T starts from the same x_T and sees the same
    increments, so its images sit nearer DDPM-T's than independent DDPM-10 images do."""
    model = init_model(tiny).eval()
    cond = torch.tensor([[2.0, 3.0]] * 16)
    seeds = list(range(16))
    fine = sample(model, cond, tiny.diffusion, "ddpm", 50, seeds)
    coupled = sample_on_brownian_path(model, cond, tiny.diffusion, 10, seeds)
    independent = sample(model, cond, tiny.diffusion, "ddpm", 10, [s + 100 for s in seeds])
    assert (coupled - fine).pow(2).mean() < 0.5 * (independent - fine).pow(2).mean()


SOLVERS = ["dpmpp_sde", "euler_a", "sa_solver"]


@pytest.mark.parametrize("sampler", SOLVERS)
def test_a_solver_on_the_path_keeps_its_known_distribution(sampler):
    """The exact ε̂ of Gaussian pixels N(0.3, 0.5²) (written in the test, not by the project):
    100 steps of each stochastic solver on DDPM-1000's path draw pixels of that mean and spread,
    as with its own noise (4096 pixels; a step fed the wrong noise scale lands far off)."""
    cfg = DiffusionConfig(timesteps=1000)
    net = GaussianScore(0.3, 0.5, alphas_cumprod(cfg))
    seeds = list(range(64))
    out = sample_solver_on_brownian_path(net, torch.zeros(64, 2), cfg, sampler, 100, seeds)
    assert abs(float(out.mean()) - 0.3) < 0.03 and abs(float(out.std()) - 0.5) < 0.04, sampler


@pytest.mark.parametrize("sampler", SOLVERS)
def test_a_solver_on_the_path_follows_ddpm_with_every_step(sampler):
    """Same seeds and the exact ε̂ of Gaussian pixels: 20 steps of a solver on the path end nearer
    DDPM-1000's images than the same solver from the same x_T with its own noise (whose images
    are as far as independent draws: twice the pixel variance)."""
    cfg = DiffusionConfig(timesteps=1000)
    net = GaussianScore(0.3, 0.5, alphas_cumprod(cfg))
    cond, seeds = torch.zeros(16, 2), list(range(16))
    fine = sample(net, cond, cfg, "ddpm", 1000, seeds, clip=False)
    coupled = sample_solver_on_brownian_path(net, cond, cfg, sampler, 20, seeds)
    own = sample(net, cond, cfg, sampler, 20, seeds, clip=False)
    assert (coupled - fine).pow(2).mean() < 0.5 * (own - fine).pow(2).mean(), sampler


def test_a_step_that_draws_other_than_once_leaves_no_silent_path():
    """The stand-in for diffusers' draw refuses a step that drew twice (or never)."""
    from diffusers import EulerAncestralDiscreteScheduler

    from bumpdiff.diffusion.brownian import _given_noise

    scheduler = EulerAncestralDiscreteScheduler()
    module = sys.modules[type(scheduler).__module__]
    z = torch.zeros(1, 1, 4, 4)
    with pytest.raises(RuntimeError, match="drew"), _given_noise(scheduler, z):
        module.randn_tensor(z.shape)
        module.randn_tensor(z.shape)
    with pytest.raises(RuntimeError, match="drew"), _given_noise(scheduler, z):
        pass


def test_trailing_ddpm_starts_where_ddpm_t_starts_and_is_it_at_stride_one():
    """K = 100 of T = 1000 on "trailing" spacing: first step at t = 999 (DDPM-1000's, where
    "leading" starts at 990), last at 9; at K = T both spacings are DDPM-T, step for step."""
    cfg = DiffusionConfig(timesteps=1000)
    trailing, leading = make_scheduler(cfg, "ddpm_trailing"), make_scheduler(cfg, "ddpm")
    trailing.set_timesteps(100)
    leading.set_timesteps(100)
    assert (int(trailing.timesteps[0]), int(trailing.timesteps[-1])) == (999, 9)
    assert (int(leading.timesteps[0]), int(leading.timesteps[-1])) == (990, 0)
    net = GaussianScore(0.3, 0.5, alphas_cumprod(cfg))
    cond, seeds = torch.zeros(8, 2), list(range(8))
    every = sample(net, cond, cfg, "ddpm", 1000, seeds, clip=False)
    path = sample_on_brownian_path(net, cond, cfg, 1000, seeds, False, sampler="ddpm_trailing")
    torch.testing.assert_close(path, every, atol=1e-4, rtol=1e-4)


def test_trailing_ddpm_on_the_path_keeps_the_known_distribution_and_follows_ddpm_t():
    """The exact ε̂ of Gaussian pixels N(0.3, 0.5²): 100 trailing steps on DDPM-1000's path draw
    that mean and spread (4096 pixels), and land nearer DDPM-1000's images than the same sampler
    with its own noise."""
    cfg = DiffusionConfig(timesteps=1000)
    net = GaussianScore(0.3, 0.5, alphas_cumprod(cfg))
    seeds = list(range(64))
    out = sample_on_brownian_path(net, torch.zeros(64, 2), cfg, 100, seeds, False,
                                  sampler="ddpm_trailing")  # fmt: skip
    assert abs(float(out.mean()) - 0.3) < 0.03 and abs(float(out.std()) - 0.5) < 0.04
    cond, few = torch.zeros(16, 2), seeds[:16]
    fine = sample(net, cond, cfg, "ddpm", 1000, few, clip=False)
    own = sample(net, cond, cfg, "ddpm_trailing", 20, few, clip=False)
    coupled = sample_on_brownian_path(net, cond, cfg, 20, few, False, sampler="ddpm_trailing")
    assert (coupled - fine).pow(2).mean() < 0.5 * (own - fine).pow(2).mean()
