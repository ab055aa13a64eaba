"""Noise schedule, forward process and samplers: known answers and seed discipline."""

import pytest
import torch
from diffusers import DDPMScheduler
from gaussian_score import GaussianScore

from bumpdiff.diffusion.network import init_model
from bumpdiff.diffusion.schedule import add_noise, alphas_cumprod, sample, sample_batched


def test_forward_process_matches_ddpm_eq4_and_diffusers(tiny):
    abar = alphas_cumprod(tiny.diffusion)
    d = tiny.diffusion
    betas = torch.linspace(d.beta_start, d.beta_end, d.timesteps)
    assert torch.allclose(abar, torch.cumprod(1 - betas, 0))
    x_0 = torch.rand(4, 1, 8, 8) * 2 - 1
    eps = torch.randn(4, 1, 8, 8)
    t = torch.tensor([0, 7, 25, d.timesteps - 1])
    ours = add_noise(x_0, eps, t, abar)
    ref = DDPMScheduler(d.timesteps, d.beta_start, d.beta_end).add_noise(x_0, eps, t)
    assert torch.allclose(ours, ref, atol=1e-6)


@pytest.mark.parametrize("sampler", ["ddpm", "ddim", "dpmpp_sde", "euler_a", "sa_solver"])
def test_images_depend_on_their_seed_not_on_the_batch(tiny, sampler):
    torch.manual_seed(0)
    model = init_model(tiny).eval()
    cond = torch.tensor([[2.0, 3.0], [4.0, 4.0], [5.0, 2.0]])
    seeds = [11, 12, 13]
    whole = sample_batched(model, cond, tiny.diffusion, sampler, 5, seeds, batch_size=3)
    ones = sample_batched(model, cond, tiny.diffusion, sampler, 5, seeds, batch_size=1)
    assert torch.allclose(whole, ones, atol=1e-5)
    again = sample(model, cond[:1], tiny.diffusion, sampler, 5, [11])
    assert torch.allclose(again, whole[:1], atol=1e-5)
    other = sample(model, cond[:1], tiny.diffusion, sampler, 5, [99])
    assert not torch.allclose(other, whole[:1], atol=1e-3)


@pytest.mark.parametrize("sampler", ["ddpm", "ddim", "dpmpp", "dpmpp_sde", "sa_solver"])
def test_clipping_keeps_samples_in_range_and_samples_are_not_clamped_after(tiny, sampler):
    """Every sampler that can clip x̂₀ does so at every step when asked (DPM-Solver++ and
    SA-Solver through their thresholding at 1); without it an untrained network's samples leave
    [-1, 1], and nothing clamps them afterwards (what the sampler made is kept). SA-Solver's last
    step combines several clipped x̂₀ with weights that need not lie in [0, 1], so its images may
    end a little outside."""
    model = init_model(tiny).eval()
    cond = torch.tensor([[2.0, 3.0], [5.0, 5.0]])
    clipped = sample(model, cond, tiny.diffusion, sampler, 10, [0, 1], clip=True)
    free = sample(model, cond, tiny.diffusion, sampler, 10, [0, 1], clip=False)
    assert clipped.abs().max() <= (1.1 if sampler == "sa_solver" else 1.0 + 1e-5)
    assert free.abs().max() > 1.5


def test_euler_ancestral_cannot_clip_and_says_so(tiny):
    """Euler ancestral has no x̂₀ to clip: asked to, it refuses; left to the default, it does not."""
    model = init_model(tiny).eval()
    cond = torch.tensor([[2.0, 3.0]])
    with pytest.raises(ValueError, match="euler_a cannot clip"):
        sample(model, cond, tiny.diffusion, "euler_a", 5, [0], clip=True)
    free = sample(model, cond, tiny.diffusion, "euler_a", 5, [0], clip=False)
    assert torch.equal(sample(model, cond, tiny.diffusion, "euler_a", 5, [0]), free)


@pytest.mark.parametrize("sampler", ["ddpm", "ddim", "dpmpp", "dpmpp_sde", "euler_a", "sa_solver"])
def test_every_sampler_draws_the_known_distribution_from_its_exact_score(sampler):
    """A known answer without training: given the exact ε̂ of Gaussian pixels N(0.3, 0.5²), 100
    steps of each sampler draw pixels of that mean and spread (4096 of them: s.e. of the spread
    0.006). A sampler that fed the network its x_t on the wrong scale (Euler's σ scale) or drew
    no noise where it should lands far off."""
    from bumpdiff.config import DiffusionConfig

    cfg = DiffusionConfig(timesteps=1000)
    net = GaussianScore(0.3, 0.5, alphas_cumprod(cfg))
    out = sample(net, torch.zeros(64, 2), cfg, sampler, 100, list(range(64)), clip=False)
    assert abs(float(out.mean()) - 0.3) < 0.03 and abs(float(out.std()) - 0.5) < 0.04, sampler
