"""The conditional UNet: diffusers ``UNet2DModel`` plus a continuous (mu_x, mu_y) encoder.

Conditioning (DESIGN.md, "Conditioning"; ``bumpdiff.conditioning``): sinusoidal encodings of
mu_x and mu_y (continuous positions, not class ids) reach every ResNet block of every level through
diffusers' ``class_embed_type="identity"`` path, either added to the timestep embedding (``add``,
ours) or concatenated with it (``concat``, the papers'): ``model.conditioning``.

Probe points (named, for forward hooks): ``down0`` … ``down{L-1}`` (outputs of the down blocks,
finest first), ``mid`` (the bottleneck) and ``up0`` … ``up{L-1}``. The alias ``layer4`` is the
output of the last down block: the late encoder, just before the bottleneck, which is where the seed
paper reads its "layer 4" (their UNet's fourth layer; in the 4-level ``paper`` preset it is also
the fourth down block).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import torch
from diffusers import UNet2DModel
from threadpoolctl import threadpool_limits
from torch import nn

from bumpdiff.conditioning import build_conditioning
from bumpdiff.config import Config, ConfigError, ModelConfig


class ConditionalUNet(nn.Module):
    """ε-prediction network ε_θ(x_t, t, (mu_x, mu_y)) for N×N single-channel images."""

    def __init__(self, cfg: ModelConfig, size: int):
        super().__init__()
        levels = len(cfg.channels)
        attn = set(cfg.attention_levels)
        down = [("AttnDownBlock2D" if lv in attn else "DownBlock2D") for lv in range(levels)]
        # diffusers lists up blocks coarsest first
        up = [("AttnUpBlock2D" if lv in attn else "UpBlock2D") for lv in reversed(range(levels))]
        self.unet = UNet2DModel(
            sample_size=size,
            in_channels=1,
            out_channels=1,
            block_out_channels=tuple(cfg.channels),
            layers_per_block=cfg.layers_per_block,
            down_block_types=tuple(down),
            up_block_types=tuple(up),
            norm_num_groups=cfg.norm_groups,
            attention_head_dim=8,
            class_embed_type="identity",
        )
        self.cond = build_conditioning(self.unet, cfg, size)
        self.label_dropout = cfg.label_dropout

    def forward(self, x_t: torch.Tensor, t: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        """x_t (B, 1, N, N), t (B,) integer timesteps, cond (B, 2) pixels (NaN: no label on that
        axis, ``bumpdiff.conditioning``) → ε̂ (B, 1, N, N)."""
        return self.unet(x_t, t, class_labels=self.cond(cond), return_dict=False)[0]

    def probe_points(self) -> dict[str, nn.Module]:
        """Named modules whose outputs can be captured (module docstring)."""
        points: dict[str, nn.Module] = {}
        for i, block in enumerate(self.unet.down_blocks):
            points[f"down{i}"] = block
        points["mid"] = self.unet.mid_block
        for i, block in enumerate(self.unet.up_blocks):
            points[f"up{i}"] = block
        points["layer4"] = self.unet.down_blocks[-1]
        return points

    def probe_point(self, name: str) -> nn.Module:
        points = self.probe_points()
        if name not in points:
            raise ConfigError(f"probe.layer: must be one of {sorted(points)}, got {name!r}")
        return points[name]


def build_model(cfg: ModelConfig, size: int) -> ConditionalUNet:
    return ConditionalUNet(cfg, size)


def init_model(cfg: Config) -> ConditionalUNet:
    """The network initialised from ``seed`` without touching the global RNG of the caller."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(cfg.seed)
        return build_model(cfg.model, cfg.data.size)


def free_cores(samples: int = 5) -> int:
    """Cores not busy with other work: the cores this process may use minus the other runnable
    processes (Linux ``procs_running``, the median of a few readings 20 ms apart; the 1-minute
    load average elsewhere), at least 1."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    try:
        readings = []
        for _ in range(samples):
            for line in Path("/proc/stat").read_text().splitlines():
                if line.startswith("procs_running"):
                    readings.append(int(line.split()[1]) - 1)  # minus this process
            time.sleep(0.02)
        busy = float(np.median(readings))
    except (OSError, ValueError):
        busy = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    return max(1, min(cores or 1, round((cores or 1) - busy)))


_FREE_CORES: list[int] = []  # decided once per process (the first call), then kept


def resolve_threads(threads: int) -> int:
    """``train.threads``, or with 0 the free cores (``free_cores``, looked at once per process)."""
    if not threads:
        if not _FREE_CORES:
            _FREE_CORES.append(free_cores())
        threads = _FREE_CORES[0]
    return threads


def set_threads(threads: int) -> int:
    """This process's CPU threads, ``resolve_threads(threads)``, so two jobs on one machine do not
    oversubscribe it: torch's, and those of the BLAS and OpenMP pools numpy, scipy and
    scikit-learn compute with (threadpoolctl), which otherwise take every core: in an overlapped
    demo the analysis process's PCA and regressions would run on the training's core too.
    (numba's, for UMAP, follow torch's: probe/umap_cache.py.) Returns the number set."""
    threads = resolve_threads(threads)
    torch.set_num_threads(threads)
    threadpool_limits(limits=threads)  # kept for the process, not only inside a `with`
    return threads


def resolve_device(name: str) -> torch.device:
    """``train.device`` as a torch device: "auto" is CUDA when torch sees it, else the CPU."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ConfigError("train.device: 'cuda' asked for but torch sees no CUDA device")
    return torch.device(name)


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
