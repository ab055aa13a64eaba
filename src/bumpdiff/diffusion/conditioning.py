"""How the label (mu_x, mu_y) reaches the UNet: ``model.conditioning``.

Both ways start from sinusoidal encodings of each coordinate (continuous positions, not class
ids): enc(mu) = [sin(ω_k mu), cos(ω_k mu)]_k, ω_k = 2π / P_k, periods P_k log-spaced from 2 px to
4 N px (ours). The result reaches every ResNet block of every level through diffusers'
``class_embed_type="identity"`` path, whose vector is summed with the timestep embedding.

- ``add`` (ours): both coordinates' encodings → one MLP (Linear → SiLU → Linear) → a vector of
  the timestep embedding's width E, summed with it. Each block sees SiLU(t + c).
- ``concat`` (the papers'): the follow-up's figure 7 concatenates the positional encodings of
  t, x and y and passes them to every block; the first author's public code embeds each label
  separately and concatenates the embeddings with the timestep's. Here the timestep MLP outputs
  E/2 and each coordinate's own MLP E/4, laid side by side, so each block sees
  [SiLU(t), SiLU(x), SiLU(y)] and weighs the three with separate weights. The concatenation is
  built as a sum of zero-padded parts, so diffusers' summing path carries it unchanged.

**Missing labels**: a NaN coordinate means "no label on this axis" (label dropout, and stripes,
which have no position on one axis). Where labels may be missing (``concat``, or
``model.label_dropout`` > 0) each axis has a learned "no label" vector: the MLP output for
``concat``, the sinusoid features for ``add``. Elsewhere a NaN label is refused.
"""

from __future__ import annotations

import math

import torch
from diffusers.models.embeddings import TimestepEmbedding
from torch import nn

from bumpdiff.config import ModelConfig


class SinusoidFeatures(nn.Module):
    """(B, 2) positions in pixels → (B, 2, 2K) features, one row per axis (module docstring)."""

    def __init__(self, freqs: int, size: int):
        super().__init__()
        periods = torch.logspace(math.log10(2.0), math.log10(4.0 * size), freqs)  # (K,) pixels
        self.register_buffer("omega", 2 * math.pi / periods, persistent=False)  # (K,) rad/px

    def forward(self, cond: torch.Tensor) -> torch.Tensor:
        phase = cond[:, :, None] * self.omega  # (B, 2, K)
        return torch.cat([phase.sin(), phase.cos()], dim=2)  # (B, 2, 2K)


def _fill_missing(values: torch.Tensor, missing: torch.Tensor, null: nn.Parameter | None):
    """``values`` (B, 2, W) with the rows of missing axes (B, 2) replaced by ``null`` (2, W)."""
    if null is None:
        if missing.any():
            raise ValueError(
                "labels: a NaN coordinate needs model.conditioning=concat or "
                "model.label_dropout > 0 (a learned 'no label' embedding)"
            )
        return values
    return torch.where(missing[:, :, None], null.expand_as(values), values)


class ConditionEncoder(nn.Module):
    """``add``: (mu_x, mu_y) → a vector of width ``embed_dim``, summed with the timestep's."""

    def __init__(self, freqs: int, size: int, embed_dim: int, nullable: bool = False):
        super().__init__()
        self.features = SinusoidFeatures(freqs, size)
        self.mlp = nn.Sequential(
            nn.Linear(4 * freqs, embed_dim), nn.SiLU(), nn.Linear(embed_dim, embed_dim)
        )
        self.null = nn.Parameter(torch.zeros(2, 2 * freqs)) if nullable else None

    def encode(self, cond: torch.Tensor) -> torch.Tensor:
        """(B, 2) positions → (B, 4K) sinusoidal features, before the MLP."""
        missing = cond.isnan()
        feats = _fill_missing(self.features(cond.nan_to_num()), missing, self.null)
        return feats.flatten(1)

    def forward(self, cond: torch.Tensor) -> torch.Tensor:
        return self.mlp(self.encode(cond))


class ConcatConditionEncoder(nn.Module):
    """``concat``: [0 (E/2, the timestep's half), MLP_x(enc x) (E/4), MLP_y(enc y) (E/4)]."""

    def __init__(self, freqs: int, size: int, embed_dim: int):
        super().__init__()
        if embed_dim % 4:
            raise ValueError(f"embed_dim: must be a multiple of 4, got {embed_dim}")
        self.features = SinusoidFeatures(freqs, size)
        part = embed_dim // 4
        self.mlps = nn.ModuleList(
            nn.Sequential(nn.Linear(2 * freqs, part), nn.SiLU(), nn.Linear(part, part))
            for _ in range(2)
        )
        self.null = nn.Parameter(torch.zeros(2, part))  # learned "no label", one per axis
        self.time_width = embed_dim // 2

    def forward(self, cond: torch.Tensor) -> torch.Tensor:
        feats = self.features(cond.nan_to_num())
        parts = torch.stack([mlp(feats[:, i]) for i, mlp in enumerate(self.mlps)], dim=1)
        parts = _fill_missing(parts, cond.isnan(), self.null)
        pad = parts.new_zeros(parts.shape[0], self.time_width)
        return torch.cat([pad, parts.flatten(1)], dim=1)


class HalfWidthTimeEmbedding(nn.Module):
    """diffusers' timestep MLP at width E/2, zero-padded to E: the timestep's part of ``concat``."""

    def __init__(self, in_channels: int, embed_dim: int):
        super().__init__()
        self.mlp = TimestepEmbedding(in_channels, embed_dim // 2)
        self.pad = embed_dim - embed_dim // 2

    def forward(self, t_emb: torch.Tensor) -> torch.Tensor:
        out = self.mlp(t_emb)
        return torch.cat([out, out.new_zeros(out.shape[0], self.pad)], dim=1)


def build_conditioning(unet: nn.Module, cfg: ModelConfig, size: int) -> nn.Module:
    """The label encoder for ``cfg.conditioning``; for ``concat`` it also gives ``unet`` its
    half-width timestep embedding."""
    width = cfg.embed_dim or cfg.channels[0] * 4  # the unet's embedding width (its default)
    if cfg.conditioning == "concat":
        unet.time_embedding = HalfWidthTimeEmbedding(cfg.channels[0], width)
        return ConcatConditionEncoder(cfg.cond_freqs, size, width)
    return ConditionEncoder(cfg.cond_freqs, size, width, nullable=cfg.label_dropout > 0)
