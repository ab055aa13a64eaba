"""DDPM noise schedule, ε-prediction loss and samplers (diffusers schedulers).

Ho et al. 2020 (DDPM): q(x_t | x_0) = N(sqrt(ᾱ_t) x_0, (1 - ᾱ_t) I) (eq. 4), loss
E ||ε - ε_θ(x_t, t, c)||² (Algorithm 1). Samplers: DDPM ancestral (the papers', Algorithm 2),
DDIM (Song et al. 2021, η = 0) and DPM-Solver++ (Lu et al. 2022, 2nd-order multistep), and three
stochastic higher-order ones: the SDE variant of DPM-Solver++ (``dpmpp_sde``), Euler ancestral
(``euler_a``, Karras et al. 2022) and SA-Solver (``sa_solver``, Xue et al. 2023), all from diffusers
with their default settings on the same β schedule. The stochastic samplers draw their noise from
each image's own generator, as DDPM does.

Randomness is seeded per image (docs/architecture.md, "Randomness"): image i of a call draws all
its noise from its own generator seeded with ``seeds[i]``, so results do not depend on the batch
size.
"""

from __future__ import annotations

from contextlib import nullcontext

import torch
from diffusers import (
    DDIMScheduler,
    DDPMScheduler,
    DPMSolverMultistepScheduler,
    EulerAncestralDiscreteScheduler,
    SASolverScheduler,
)
from tqdm.auto import tqdm

from bumpdiff.config import DiffusionConfig, SamplerName
from bumpdiff.config.sections import CLIPPING, ON_PATH, STRIDED_DDPM  # can clip; draw noise; DDPM
from bumpdiff.diffusion.frozen import sampling_network

# The diffusers scheduler class behind each sampler name (config.SamplerName).
SCHEDULERS: dict[str, type] = {
    "ddpm": DDPMScheduler,
    "ddpm_trailing": DDPMScheduler,
    "ddim": DDIMScheduler,
    "dpmpp": DPMSolverMultistepScheduler,
    "dpmpp_sde": DPMSolverMultistepScheduler,
    "euler_a": EulerAncestralDiscreteScheduler,
    "sa_solver": SASolverScheduler,
}


def make_scheduler(cfg: DiffusionConfig, sampler: SamplerName = "ddpm", clip: bool = True):
    """A diffusers scheduler on the config's linear β schedule (defaults otherwise).

    ``clip``: clip the predicted x̂₀ to [-1, 1] at every step: DDPM's and DDIM's
    ``clip_sample`` (diffusers' default); DPM-Solver++ (and its SDE variant) and SA-Solver by
    their ``thresholding`` with its ceiling ``sample_max_value`` at 1, where the threshold
    s = clamp(quantile |x̂₀|, 1, 1) = 1 makes it the same clipping. Euler ancestral cannot clip
    (it steps on the σ scale; config.sections.CLIPPING): asked to, it refuses. Euler ancestral
    takes integer timesteps ("leading" spacing, as DDPM's), since the network embeds integer t.
    ``ddpm_trailing`` is DDPM on "trailing" spacing: with K < T steps its timesteps are T - 1,
    T - 1 - T/K, …, T/K - 1 (where "leading"'s are T - T/K, …, 0), so its first step is DDPM-T's
    and its last jumps from T/K - 1 to the image.
    """
    cls = SCHEDULERS[sampler]
    kwargs = dict(
        num_train_timesteps=cfg.timesteps,
        beta_start=cfg.beta_start,
        beta_end=cfg.beta_end,
        beta_schedule="linear",
    )
    if sampler in ("dpmpp", "dpmpp_sde"):
        kwargs["algorithm_type"] = "dpmsolver++" if sampler == "dpmpp" else "sde-dpmsolver++"
    elif sampler == "ddpm_trailing":
        kwargs["timestep_spacing"] = "trailing"
    elif sampler == "euler_a":
        kwargs["timestep_spacing"] = "leading"
        if clip:
            raise ValueError("euler_a cannot clip x̂₀ (it steps on the σ scale): pass clip=False")
    if sampler in (*STRIDED_DDPM, "ddim"):
        kwargs["clip_sample"] = clip
    elif sampler in ("dpmpp", "dpmpp_sde", "sa_solver"):
        kwargs.update(thresholding=clip, sample_max_value=1.0)
    return cls(**kwargs)


def alphas_cumprod(cfg: DiffusionConfig) -> torch.Tensor:
    """ᾱ_t = Π_{s≤t} (1 - β_s), t = 0..T-1, float32 (T,)."""
    return make_scheduler(cfg).alphas_cumprod.to(torch.float32)


def add_noise(
    x_0: torch.Tensor, eps: torch.Tensor, t: torch.Tensor, abar: torch.Tensor
) -> torch.Tensor:
    """x_t = sqrt(ᾱ_t) x_0 + sqrt(1 - ᾱ_t) ε (DDPM eq. 4); x_0, ε (B, 1, N, N), t (B,)."""
    abar_t = abar[t].view(-1, 1, 1, 1)  # (B, 1, 1, 1)
    return abar_t.sqrt() * x_0 + (1 - abar_t).sqrt() * eps


def diffusion_loss(
    model: torch.nn.Module,
    x_0: torch.Tensor,
    cond: torch.Tensor,
    t: torch.Tensor,
    eps: torch.Tensor,
    abar: torch.Tensor,
) -> torch.Tensor:
    """Mean ||ε - ε_θ(x_t, t, c)||² over batch and pixels (DDPM Algorithm 1, ε-prediction)."""
    x_t = add_noise(x_0, eps, t, abar)
    eps_hat = model(x_t, t, cond)
    return torch.nn.functional.mse_loss(eps_hat.float(), eps)


def per_image_generators(seeds: torch.Tensor | list[int], device: torch.device | str = "cpu"):
    """One torch.Generator per image, seeded with ``seeds[i]``."""
    return [torch.Generator(device=device).manual_seed(int(s)) for s in seeds]


def initial_noise(generators: list[torch.Generator], size: int, device="cpu") -> torch.Tensor:
    """x_T ~ N(0, I), (B, 1, N, N): image i drawn from generator i."""
    return torch.cat(
        [torch.randn((1, 1, size, size), generator=g, device=device) for g in generators]
    )


def autocast(device: torch.device, bf16: bool):
    """bf16 autocast on ``device`` when asked (``uses_bf16``); a no-op context otherwise."""
    if bf16:
        return torch.autocast(device.type, dtype=torch.bfloat16)
    return nullcontext()


def uses_bf16(train, device: torch.device) -> bool:
    """Whether a run's network computes under bf16 autocast on ``device``: ``train.bf16`` on
    CUDA, ``train.cpu_precision`` (resolved to "bf16" or "fp32" when the run started:
    devices.py) on the CPU."""
    if device.type == "cuda":
        return bool(train.bf16)
    return train.cpu_precision == "bf16"


def image_size(model: torch.nn.Module) -> int:
    """The side of the images a denoiser makes: the UNet's sample size, or an analytic
    denoiser's ``image_size`` (diffusion/baselines.py)."""
    size = getattr(model, "image_size", None)
    return int(size) if size is not None else model.unet.config.sample_size


@torch.inference_mode()
def sample(
    model: torch.nn.Module,
    cond: torch.Tensor,
    cfg: DiffusionConfig,
    sampler: SamplerName = "ddpm",
    steps: int | None = None,
    seeds: torch.Tensor | list[int] | None = None,
    bf16: bool = False,
    progress: bool = False,
    clip: bool | None = None,
) -> torch.Tensor:
    """Generate one image per condition; returns (B, 1, N, N) on the training scale, unclamped
    (what the sampler made: within [-1, 1] when x̂₀ is clipped, possibly far outside when not).

    Args:
        model: ε_θ, called as model(x_t, t, cond).
        cond: (B, 2) conditions (mu_x, mu_y), pixels, on the model's device.
        cfg: the β schedule the model was trained with.
        sampler: "ddpm" (ancestral, ``steps`` defaults to T), "ddpm_trailing" (the same on
            "trailing" spacing), "ddim" (η = 0), "dpmpp", or one of the stochastic higher-order
            "dpmpp_sde", "euler_a", "sa_solver".
        steps: number of sampler steps (network evaluations).
        seeds: (B,) one seed per image; defaults to 0..B-1.
        bf16: autocast the network to bf16 on CUDA.
        clip: clip x̂₀ at every step (``make_scheduler``); None: where the sampler can (all but
            Euler ancestral).
    """
    device = cond.device
    size = image_size(model)
    batch = cond.shape[0]
    seeds = list(range(batch)) if seeds is None else seeds
    gens = per_image_generators(seeds)  # CPU generators: identical streams on every device
    scheduler = make_scheduler(cfg, sampler, sampler in CLIPPING if clip is None else clip)
    scheduler.set_timesteps(steps or cfg.timesteps)
    x_t = initial_noise(gens, size).to(device) * scheduler.init_noise_sigma
    first = torch.full((batch,), int(scheduler.timesteps[0]), device=device, dtype=torch.long)
    net = sampling_network(model, x_t, first, cond, len(scheduler.timesteps))  # frozen.py
    for t in tqdm(scheduler.timesteps, disable=not progress, desc=f"{sampler}", leave=False):
        t_batch = torch.full((batch,), int(t), device=device, dtype=torch.long)
        with autocast(device, bf16):
            # the identity except for Euler, whose x_t is on the σ scale
            eps_hat = net(scheduler.scale_model_input(x_t, t), t_batch, cond).float()
        # the stochastic samplers' noise: diffusers draws it per image from the CPU generators and
        # moves only that noise to the device (randn_tensor), so it depends on neither.
        x_t = scheduler.step(eps_hat, t, x_t, generator=gens if sampler in ON_PATH else None)
        x_t = x_t.prev_sample
    return x_t


def sample_batched(
    model: torch.nn.Module,
    cond: torch.Tensor,
    cfg: DiffusionConfig,
    sampler: SamplerName,
    steps: int | None,
    seeds: torch.Tensor | list[int],
    batch_size: int,
    bf16: bool = False,
    clip: bool | None = None,
    progress: bool = False,
) -> torch.Tensor:
    """``sample`` in chunks of ``batch_size``; same images for any chunking (per-image seeds).
    ``progress``: a bar over the images (and each chunk's sampler steps)."""
    out = []
    bar = tqdm(total=cond.shape[0], disable=not progress, desc="sampling", unit="image")
    for lo in range(0, cond.shape[0], batch_size):
        hi = lo + batch_size
        seeds_chunk = list(seeds[lo:hi])
        x = sample(model, cond[lo:hi], cfg, sampler, steps, seeds_chunk, bf16, progress, clip)
        out.append(x.cpu())
        bar.update(x.shape[0])
    bar.close()
    return torch.cat(out) if out else torch.empty(0, 1, 1, 1)
