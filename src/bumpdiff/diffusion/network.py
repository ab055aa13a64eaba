"""The conditional UNet: diffusers ``UNet2DModel`` plus a continuous (mu_x, mu_y) encoder.

Conditioning (``diffusion/conditioning.py``; docs/science.md, "Conditioning"): sinusoidal encodings
of mu_x and mu_y (continuous positions, not class ids) reach every ResNet block of every level
through diffusers' ``class_embed_type="identity"`` path, either added to the timestep embedding
(``add``, ours) or concatenated with it (``concat``, the papers'): ``model.conditioning``.

Probe points (named, for forward hooks): ``down0`` … ``down{L-1}`` (outputs of the down blocks,
finest first), ``mid`` (the bottleneck) and ``up0`` … ``up{L-1}``. The alias ``layer4`` is the
output of the last down block: the late encoder, just before the bottleneck, which is where the seed
paper reads its "layer 4" (their UNet's fourth layer; in the 4-level ``paper`` preset it is also
the fourth down block).
"""

from __future__ import annotations

import torch
from diffusers import UNet2DModel
from torch import nn

from bumpdiff.config import Config, ConfigError, ModelConfig
from bumpdiff.diffusion.conditioning import build_conditioning


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
            time_embedding_dim=cfg.embed_dim,  # None: diffusers' 4 × channels[0]
        )
        self.cond = build_conditioning(self.unet, cfg, size)
        self.label_dropout = cfg.label_dropout

    def forward(self, x_t: torch.Tensor, t: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        """x_t (B, 1, N, N), t (B,) integer timesteps, cond (B, 2) pixels (NaN: no label on that
        axis, ``bumpdiff.diffusion.conditioning``) → ε̂ (B, 1, N, N)."""
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


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
