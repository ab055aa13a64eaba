"""Generating images from a trained network: the one place that turns the config into a sampler.

``resolve_sampler`` reads ``sample.sampler`` and ``sample.steps`` (None means T, the papers'
ancestral DDPM with every step); every command and experiment samples through ``generate`` with
that spec or one it was handed explicitly (the sampler study's candidates). Commands that take
``--sampler`` / ``--steps`` write them into those config fields first.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, replace

import numpy as np
import torch

from bumpdiff.config import Config, SamplerName, parse_candidate
from bumpdiff.config.sections import CLIPPING, STRIDED_DDPM
from bumpdiff.data import to_data_scale
from bumpdiff.diffusion.brownian import sample_on_brownian_path, sample_solver_on_brownian_path
from bumpdiff.diffusion.schedule import sample_batched, uses_bf16


@dataclass(frozen=True)
class SamplerSpec:
    """A sampler, its number of steps (network evaluations) and the precision of the network."""

    name: SamplerName
    steps: int
    precision: str = "fp32"  # "bf16": the network under bf16 autocast, on any device
    noise: str = "own"  # "brownian": the noise derived from DDPM-T's path (diffusion/brownian.py)
    clip: bool | None = None  # clip x̂₀ on the way; None: the run's sample.clip

    @property
    def label(self) -> str:
        """e.g. "ddpm-100", "ddpm-100-bf16", "ddpm-100-brownian", "ddim-50-noclip" (as written
        into results)."""
        tail = "" if self.precision == "fp32" else f"-{self.precision}"
        tail += "" if self.noise == "own" else f"-{self.noise}"
        return f"{self.name}-{self.steps}{tail}" + ("-noclip" if self.clip is False else "")


def name_of(
    sampler: str, steps: int, precision: str = "fp32", noise: str = "own", clip: bool = True
) -> str:
    """A sampler as tables name it: "DDPM-100", "DDPM-100 bf16", "DDPM-100 brownian",
    "DDIM-50 no clip"."""
    tail = "" if precision == "fp32" else f" {precision}"
    tail += "" if noise == "own" else f" {noise}"
    return f"{sampler.upper()}-{steps}{tail}" + ("" if clip else " no clip")


def candidate_key(row) -> tuple[str, int, str, str, bool]:
    """What tells a sampler study's candidates apart, for its rows and verdicts (records.py):
    sampler, steps, precision, noise, clipping; ``name_of(*candidate_key(row))`` names one."""
    return row.sampler, row.steps, row.precision, row.noise, row.clip


def resolve_sampler(cfg: Config) -> SamplerSpec:
    """The evaluation sampler of ``cfg``: ``sample.sampler`` with ``sample.steps`` steps, or T
    (``diffusion.timesteps``) steps when that is None. The config validates the range."""
    return SamplerSpec(cfg.sample.sampler, cfg.sample.steps or cfg.diffusion.timesteps)


def candidate_spec(cfg: Config, text: str) -> SamplerSpec:
    """A study candidate "NAME[:STEPS[:PRECISION[:NOISE[:CLIP]]]]" as a spec; no STEPS means T,
    no CLIP the run's ``sample.clip``."""
    name, steps, precision, noise, clip = parse_candidate(text)
    spec = SamplerSpec(name, steps or cfg.diffusion.timesteps, precision, noise, clip)
    return replace(spec, clip=_clip(cfg, spec))  # resolved: rows record what was run


def _clip(cfg: Config, spec: SamplerSpec) -> bool:
    """Whether ``spec`` clips x̂₀: its own choice, else the run's ``sample.clip`` where the sampler
    can clip (config.sections.CLIPPING: not Euler ancestral)."""
    return (cfg.sample.clip and spec.name in CLIPPING) if spec.clip is None else spec.clip


def _brownian_batched(model, cond, cfg: Config, spec: SamplerSpec, seeds) -> torch.Tensor:
    """DDPM (``brownian.sample_on_brownian_path``) or a stochastic solver
    (``sample_solver_on_brownian_path``) on DDPM-T's path, in chunks of ``sample.batch_size``
    (per-image seeds)."""
    out = []
    for lo in range(0, cond.shape[0], cfg.sample.batch_size):
        hi = lo + cfg.sample.batch_size
        chunk = [int(s) for s in seeds[lo:hi]]
        if spec.name in STRIDED_DDPM:
            x = sample_on_brownian_path(
                model, cond[lo:hi], cfg.diffusion, spec.steps, chunk, _clip(cfg, spec),
                sampler=spec.name,
            )  # fmt: skip
        else:
            x = sample_solver_on_brownian_path(
                model,
                cond[lo:hi],
                cfg.diffusion,
                spec.name,
                spec.steps,
                chunk,
                clip=_clip(cfg, spec),
            )
        out.append(x.cpu())
    return torch.cat(out)


def generate(
    model: torch.nn.Module,
    cfg: Config,
    conditions: np.ndarray,
    draws: int,
    seed: int,
    spec: SamplerSpec | None = None,
    progress: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """``draws`` images per condition; image r = condition r // draws, seeded with seed + r.

    Args:
        model: ε_θ on its device.
        cfg: the run's config (diffusion schedule, ``sample.batch_size``, its bf16 switches:
            ``schedule.uses_bf16``).
        conditions: (m, 2) (mu_x, mu_y) in pixels.
        draws: images per condition.
        seed: seed of image 0.
        spec: the sampler; ``resolve_sampler(cfg)`` when None.
        progress: show a progress bar (commands pass whether stderr is a terminal).

    Returns images (m·draws, N, N) on the data scale (bump 1 on background 0; unclamped, as
    the sampler made them, ``spec.clip`` or else ``sample.clip`` deciding whether x̂₀ is
    clipped on the way) and their conditions (m·draws, 2).
    """
    spec = spec or resolve_sampler(cfg)
    device = next(model.parameters()).device
    cond = np.repeat(conditions, draws, axis=0)
    seeds = seed + np.arange(len(cond))
    precision = (
        torch.autocast(device.type, torch.bfloat16) if spec.precision == "bf16" else nullcontext()
    )
    c = torch.from_numpy(cond.astype(np.float32)).to(device)
    with precision:
        if spec.noise == "brownian":
            x = _brownian_batched(model, c, cfg, spec, seeds)
        else:
            x = sample_batched(
                model,
                c,
                cfg.diffusion,
                spec.name,
                spec.steps,
                seeds,
                cfg.sample.batch_size,
                bf16=uses_bf16(cfg.train, device),
                clip=_clip(cfg, spec),
                progress=progress,
            )
    return to_data_scale(x[:, 0].numpy()), cond
