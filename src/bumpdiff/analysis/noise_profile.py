"""Where along the noise levels a network knows where the bump goes (``bumpdiff evidence
noise-profile``): training images are noised at each t, and for each denoiser its ε-prediction
error, the share of its x̂₀ whose highest pixel lies within ``RADIUS`` px of the image's bump,
the mean correlation of its x̂₀ with the clean image (the highest pixel alone can be an artefact
at a border) and the median level of its x̂₀ (data scale; the training background is 0).

A generation decides the bump's place at high noise, where x_t shows little of it: a network
that has not yet tied its condition to a place puts its x̂₀ peak anywhere there, and its images
come out without a bump or with one in the wrong place. Two analytic denoisers on the very same
noised inputs say what the measure reads in each case (diffusion/baselines.py): the ideal
conditional denoiser knows the place at every t (the measure's "yes"), the ideal unconditional
one (a label kernel far wider than the canvas) only once the noise lets the image show it (its
"no" at high t).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

from bumpdiff.config import ConfigError
from bumpdiff.diffusion.baselines import AnalyticDenoiser
from bumpdiff.diffusion.schedule import add_noise, alphas_cumprod
from bumpdiff.probe.placement import denoised_estimate

LEVELS = (1.0, 0.9, 0.75, 0.5, 0.3, 0.1, 0.02)  # t / (T - 1), from pure noise to nearly clean
RADIUS = 1.5  # px: the x̂₀ peak counts as at the bump within this distance
UNCONDITIONAL_BANDWIDTH = 1e6  # px: every training image weighs the same whatever the label
USAGE = "noise-profile OUT.json CHECKPOINT [CHECKPOINT ...]"


def peak_at_centre(x0_hat: torch.Tensor, centres: np.ndarray, radius: float = RADIUS) -> np.ndarray:
    """Whether each x̂₀ (B, 1, N, N)'s highest pixel (column x, row y) lies within ``radius``
    of its bump's centre (B, 2) as (x, y)."""
    n = x0_hat.shape[-1]
    peak = x0_hat.reshape(len(x0_hat), -1).argmax(dim=1).numpy()
    at = np.column_stack([peak % n, peak // n])
    return np.hypot(*(at - centres).T) <= radius


def correlation(x0_hat: torch.Tensor, x0: torch.Tensor) -> np.ndarray:
    """Pearson correlation of each x̂₀ with its clean image, over pixels (B,)."""
    a, b = (v.flatten(1).double() for v in (x0_hat, x0))
    a, b = a - a.mean(1, keepdim=True), b - b.mean(1, keepdim=True)
    return ((a * b).sum(1) / (a.norm(dim=1) * b.norm(dim=1)).clamp_min(1e-12)).numpy()


@torch.inference_mode()
def profile(denoiser, x0: torch.Tensor, cond: torch.Tensor, centres: np.ndarray, abar,
            levels=LEVELS, seed: int = 0) -> list[dict]:  # fmt: skip
    """Per t at each of ``levels`` (fractions of the last step T - 1): the denoiser's
    ε-prediction mean squared error, its share of x̂₀ peaks at the bump (``peak_at_centre``),
    the mean ``correlation`` of its x̂₀ with the clean image and its x̂₀'s median level on the
    data scale, on ``x0`` (B, 1, N, N, model scale) noised with noise seeded by ``seed`` and t."""
    rows = []
    for t in sorted({round(f * (len(abar) - 1)) for f in levels}, reverse=True):
        gen = torch.Generator().manual_seed(seed * 10_000 + t)
        eps = torch.randn(x0.shape, generator=gen)
        tt = torch.full((len(x0),), t, dtype=torch.long)
        x_t = add_noise(x0, eps, tt, abar)
        eps_hat = denoiser(x_t, tt, cond).float()
        x0_hat = denoised_estimate(x_t, eps_hat, float(abar[t]))
        rows.append({
            "t": t,
            "eps_mse": float(((eps_hat - eps) ** 2).mean()),
            "at_bump": float(peak_at_centre(x0_hat, centres).mean()),
            "correlation": float(correlation(x0_hat, x0).mean()),
            "level": float((x0_hat.flatten(1).median(dim=1).values.median() + 1) / 2),
        })  # fmt: skip
    return rows


def checkpoint_profile(path: Path, images: int = 64, seed: int = 0) -> dict:
    """The network of a checkpoint (its EMA weights where kept) beside the two analytic
    denoisers of its own training set, on ``images`` of its training images."""
    from bumpdiff.store.checkpoint import load_model
    from bumpdiff.training.loop import training_data

    model, cfg, step = load_model(path)
    if list(cfg.data.kinds) != ["bump"] or cfg.data.permute_labels:
        raise ConfigError(f"noise-profile: {path} was trained on other than one bump at its label")
    x0, cond = training_data(cfg, torch.device("cpu"))
    pick = np.random.default_rng(seed).choice(len(x0), size=min(images, len(x0)), replace=False)
    abar = alphas_cumprod(cfg.diffusion)
    train, labels = x0[:, 0].numpy(), cond.numpy()
    denoisers = {
        "network": model,
        "ideal_conditional": AnalyticDenoiser(train, labels, abar),
        "ideal_unconditional": AnalyticDenoiser(train, labels, abar,
                                                bandwidth=UNCONDITIONAL_BANDWIDTH),
    }  # fmt: skip
    centres = cond[pick].numpy().astype(float)
    rows = {name: profile(d, x0[pick], cond[pick], centres, abar, seed=seed)
            for name, d in denoisers.items()}  # fmt: skip
    return {"checkpoint": str(path), "step": step, "images": len(pick), "radius": RADIUS,
            "profiles": rows}  # fmt: skip


def noise_profile_main(argv: list[str]) -> int:
    """``bumpdiff evidence noise-profile OUT.json CHECKPOINT [CHECKPOINT ...]``."""
    if len(argv) < 2:
        raise ConfigError(f"evidence: usage: {USAGE}")
    missing = [p for p in argv[1:] if not Path(p).is_file()]
    if missing:
        raise ConfigError(f"evidence: CHECKPOINT {missing[0]} is not a file")
    result = {"command": "bumpdiff evidence noise-profile " + " ".join(argv),
              "checkpoints": [checkpoint_profile(Path(p)) for p in argv[1:]]}  # fmt: skip
    Path(argv[0]).write_text(json.dumps(result, indent=1) + "\n")
    print(argv[0])
    return 0
