"""Strided ancestral DDPM driven by the Brownian path of DDPM with every step, so that the two
samplers can be compared image by image (the sampler study's paired differences).

DDPM-T's step t draws z_t ~ N(0, I) and moves x_t to x_{t-1} = A_t x_t + B_t x̂₀ + σ_t z_t (Ho et
al. 2020, eq. 7 with the posterior variance β̃_t; diffusers' ``DDPMScheduler.step``). A strided
step τ → τ' spans the fine steps k = τ, …, τ'+1; with x̂₀ held fixed over it, their composition
adds the noise Σ_k c_k z_k with c_k = σ_k Π_{j=τ'+1}^{k-1} A_j. The strided step therefore uses

    z_{τ→τ'} = Σ_k c_k z_k / sqrt(Σ_k c_k²),

a unit-norm combination of independent standard normals, so exactly N(0, I): the strided sampler
keeps its own distribution (it *is* strided DDPM) while its noise is the projection of the fine
path's, and with one fine step per stride it reproduces DDPM-T. Image i draws x_T and then z_{T-1},
…, z_1 from its own generator in the order DDPM-T does, so DDPM-T and its strided partner start
from the same x_T and see the same increments.

The stochastic higher-order solvers (``dpmpp_sde``, ``euler_a``, ``sa_solver``) draw one standard
normal per step t → s; on the path each step takes the same projection of z_t … z_{s+1}. The
projections of disjoint spans are independent N(0, I), so each solver keeps its own distribution
while following the increments DDPM-T saw.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from unittest import mock

import torch

from bumpdiff.config import DiffusionConfig, SamplerName
from bumpdiff.diffusion.frozen import sampling_network
from bumpdiff.diffusion.schedule import (
    autocast,
    image_size,
    initial_noise,
    make_scheduler,
    per_image_generators,
)


def step_coefficients(abar: torch.Tensor, t: int, s: int) -> tuple[float, float, float]:
    """(coefficient of x̂₀, of x_t, standard deviation) of the DDPM step t → s (s < t; s = -1
    is the end), as diffusers computes them: ᾱ_s = 1 for s < 0, variance β̃ clamped at 1e-20, no
    noise from t = 0."""
    a_t = float(abar[t])
    a_s = float(abar[s]) if s >= 0 else 1.0
    alpha = a_t / a_s  # the step's α (a product of the fine α's when strided)
    beta = 1 - alpha
    coef_x0 = a_s**0.5 * beta / (1 - a_t)
    coef_xt = alpha**0.5 * (1 - a_s) / (1 - a_t)
    std = max((1 - a_s) / (1 - a_t) * beta, 1e-20) ** 0.5 if t > 0 else 0.0
    return coef_x0, coef_xt, std


def combination(abar: torch.Tensor, t: int, s: int) -> torch.Tensor:
    """(t - s,) weights c_k / sqrt(Σ c²) of the fine noises z_t, z_{t-1}, …, z_{s+1} that make the
    noise of the strided step t → s (module docstring); all zero where the step adds no noise."""
    ks = range(t, s, -1)
    weights = []
    for k in ks:
        _, _, sigma = step_coefficients(abar, k, k - 1)
        prod = 1.0
        for j in range(s + 1, k):  # A_j of the fine steps after k (those nearer s)
            prod *= step_coefficients(abar, j, j - 1)[1]
        weights.append(sigma * prod)
    w = torch.tensor(weights, dtype=torch.float64)
    norm = w.norm()
    return (w / norm if norm > 0 else w).to(torch.float32)


def _draw(generators, count: int, size: int) -> torch.Tensor:
    """(B, count, 1, N, N): the next ``count`` fine noises of every image, in DDPM-T's order."""
    if count == 0:
        return torch.empty((len(generators), 0, 1, size, size))
    return torch.stack(
        [
            torch.cat([torch.randn((1, 1, size, size), generator=g) for _ in range(count)])
            for g in generators
        ]
    )


@torch.inference_mode()
def sample_on_brownian_path(
    model: torch.nn.Module,
    cond: torch.Tensor,
    cfg: DiffusionConfig,
    steps: int,
    seeds: list[int],
    clip: bool = True,
    bf16: bool = False,
    sampler: SamplerName = "ddpm",
) -> torch.Tensor:
    """DDPM with ``steps`` strided steps ("ddpm": diffusers' "leading" spacing, as
    ``diffusion.sample``; "ddpm_trailing": its "trailing" spacing, ``make_scheduler``), its noise
    derived from DDPM-T's path for the same seeds; (B, 1, N, N), unclamped."""
    device = cond.device
    size = image_size(model)
    schedule = make_scheduler(cfg, sampler)
    schedule.set_timesteps(steps)
    times = [int(t) for t in schedule.timesteps]
    gens, abar, x_t, net = _start(model, cond, cfg, seeds, times)
    for i, t in enumerate(times):
        s = times[i + 1] if i + 1 < len(times) else -1
        t_batch = torch.full((cond.shape[0],), t, device=device, dtype=torch.long)
        with autocast(device, bf16):
            eps_hat = net(x_t, t_batch, cond).float()
        a_t = float(abar[t])
        x0_hat = (x_t - (1 - a_t) ** 0.5 * eps_hat) / a_t**0.5
        if clip:
            x0_hat = x0_hat.clamp(-1, 1)
        coef_x0, coef_xt, std = step_coefficients(abar, t, s)
        x_t = coef_x0 * x0_hat + coef_xt * x_t
        z = _path_noise(gens, abar, t, max(s, 0), size).to(device)
        if std > 0:
            x_t = x_t + std * z
    return x_t


@torch.inference_mode()
def sample_solver_on_brownian_path(
    model: torch.nn.Module,
    cond: torch.Tensor,
    cfg: DiffusionConfig,
    sampler: SamplerName,
    steps: int,
    seeds: list[int],
    bf16: bool = False,
    clip: bool = False,
) -> torch.Tensor:
    """A stochastic diffusers solver ("dpmpp_sde", "euler_a", "sa_solver") with ``steps`` steps,
    each step's noise derived from DDPM-T's path for the same seeds (module docstring), as
    ``schedule.sample`` otherwise (``clip``: x̂₀ clipped on the way, ``make_scheduler``);
    (B, 1, N, N), unclamped."""
    device = cond.device
    size = image_size(model)
    scheduler = make_scheduler(cfg, sampler, clip)
    scheduler.set_timesteps(steps)
    times = [int(t) for t in scheduler.timesteps]
    gens, abar, x_t, net = _start(model, cond, cfg, seeds, times)
    x_t = x_t * scheduler.init_noise_sigma  # Euler's x_T is on the σ scale
    for i, t in enumerate(scheduler.timesteps):
        s = times[i + 1] if i + 1 < len(times) else 0
        t_batch = torch.full((cond.shape[0],), times[i], device=device, dtype=torch.long)
        with autocast(device, bf16):
            eps_hat = net(scheduler.scale_model_input(x_t, t), t_batch, cond).float()
        z = _path_noise(gens, abar, times[i], s, size).to(device)
        if sampler == "dpmpp_sde":  # diffusers takes this solver's noise from the caller
            x_t = scheduler.step(eps_hat, t, x_t, variance_noise=z).prev_sample
        else:
            with _given_noise(scheduler, z):
                x_t = scheduler.step(eps_hat, t, x_t).prev_sample
    return x_t


def _start(model, cond: torch.Tensor, cfg: DiffusionConfig, seeds: list[int], times: list[int]):
    """What both samplers on the path start from: per-image generators, ᾱ (float64), x_T on the
    model's device (DDPM-T's, before any solver scaling), the frozen network; the fine noises
    before the first step (z_{T-1} … z_{τ0+1}, DDPM-T's, unused) are drawn and dropped."""
    gens = per_image_generators(seeds)
    abar = make_scheduler(cfg).alphas_cumprod.to(torch.float64)
    size = image_size(model)
    x_t = initial_noise(gens, size).to(cond.device)
    _draw(gens, cfg.timesteps - 1 - times[0], size)
    first = torch.full((cond.shape[0],), times[0], device=cond.device, dtype=torch.long)
    return gens, abar, x_t, sampling_network(model, x_t, first, cond, len(times))  # frozen.py


def _path_noise(generators, abar: torch.Tensor, t: int, s: int, size: int) -> torch.Tensor:
    """(B, 1, N, N): the next fine noises z_t … z_{s+1} of every image (none after z_1) drawn and
    projected onto the step t → s (``combination``; zeros where the step adds no noise)."""
    fine = _draw(generators, t - s, size)
    return torch.einsum("k,bkcij->bcij", combination(abar, t, s), fine)


@contextmanager
def _given_noise(scheduler, noise: torch.Tensor):
    """Exception to calling diffusers as it is: the Euler ancestral and SA-Solver steps draw their
    noise inside ``step`` (their module's ``randn_tensor``) and take none from the caller, so for
    one step that function returns ``noise`` instead. A step that draws other than once, or
    another shape, is an error: a diffusers version that draws differently would otherwise leave
    the path silently."""
    module = sys.modules[type(scheduler).__module__]
    calls: list[tuple] = []

    def given(shape, generator=None, device=None, dtype=None, layout=None):
        calls.append(tuple(shape))
        return noise.to(device=device or noise.device, dtype=dtype or noise.dtype)

    with mock.patch.object(module, "randn_tensor", given):
        yield
    if calls != [tuple(noise.shape)]:
        name = type(scheduler).__name__
        raise RuntimeError(f"{name}.step drew {calls}, not one {tuple(noise.shape)}")
