"""Config sections of the follow-up paper's studies (Liang, Liu, Ostrow & Fiete, arXiv
2408.13256): percolation and the periodic canvas's geometry. Values the paper states are marked;
the rest are ours."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from bumpdiff.config.common import _Section


def _increasing_fractions(cls, v: list[float]) -> list[float]:
    """Kept fractions λ: increasing, each in (0, 1]."""
    if any(not 0 < f <= 1 for f in v) or sorted(set(v)) != v:
        raise ValueError("must be increasing values in (0, 1]")
    return v


class PercolationConfig(_Section):
    sigmas: list[float] = Field(
        [0.5, 1.0], min_length=1, description="bump widths σ trained and simulated (ours)"
    )
    fractions: list[float] = Field(
        [0.15, 0.4, 1.0],
        min_length=2,
        description="kept fractions λ of the lattice that models are trained on (ours)",
    )
    seeds: list[int] = Field([0, 1], min_length=1, description="training seeds per (σ, λ) (ours)")
    thresholds: list[float] = Field(
        [0.005, 0.05], min_length=1, description="overlap above which two kept sites join (paper)"
    )
    normalisation: Literal["cosine", "unit_mass", "unit_peak"] = Field(
        "cosine",
        description="overlap of two bumps: normalised inner product, unit-mass or unit-peak "
        "bumps (the paper does not say; bumpdiff.data.percolation)",
    )
    grid: int = Field(51, ge=3, le=1001, description="λ values simulated in [0, 1] (ours)")
    repeats: int = Field(50, ge=1, le=10000, description="random subsets per λ (ours)")
    onset: float = Field(
        0.5, gt=0, lt=1, description="accuracy whose crossing marks the onset in λ (ours)"
    )

    _fractions = field_validator("fractions")(classmethod(_increasing_fractions))

    @field_validator("sigmas", "thresholds")
    @classmethod
    def _positive(cls, v: list[float]) -> list[float]:
        if any(x <= 0 for x in v):
            raise ValueError("must all be > 0")
        return v


class TorusConfig(_Section):
    spectrum: int = Field(15, ge=2, le=100, description="PCA components shown (paper: 15)")
    top: int = Field(4, ge=1, le=100, description="top components whose share is reported (paper)")
    min_persistence: float = Field(
        0.2,
        gt=0,
        lt=1,
        description="a topological feature is long-lived above this × the cloud's diameter "
        "(ours; calibrated on circles, tori, spheres and noise: bumpdiff.probe.geometry)",
    )
    margin: float = Field(
        0.5,
        gt=0,
        le=1,
        description="closer to one ideal torus when its distance is below this × the other's "
        "(ours)",
    )
    snapshots: int = Field(3, ge=1, le=12, description="checkpoints shown in PCA views (paper: 3)")
    input: Literal["noise", "crossed"] = Field(
        "crossed",
        description="the representation of a condition: the probe layer's mean over pure-noise "
        "inputs at probe.t (the phase probe's), or over noised bumps at positions drawn "
        "independently of the condition at torus.t (the placement probe's crossed inputs, "
        "probe.placement_positions of them; ours: at t = T-1 a trained model's means are noise)",
    )
    t: int | None = Field(
        None, ge=1, description="timestep of the crossed inputs; None = T / 2 (ours)"
    )


class ComposeConfig(_Section):
    seeds: list[int] = Field([0, 1], min_length=1, description="training seeds per model (ours)")
    band: tuple[float, float] = Field(
        (13.0, 19.0), description="the held-out cross: x or y in [lo, hi], labels (paper: 13-19)"
    )
    rim_width: float = Field(
        1.0, gt=0, description="the rim of 2D examples: within this of an edge, pixels (ours)"
    )
    min_accuracy: float = Field(
        0.5, gt=0, lt=1, description="a model composes when its held-out accuracy reaches this"
    )


class InterpolateConfig(_Section):
    widths: list[float] = Field(
        [1.0, 3.5, 8.0], min_length=1, description="lesion widths, pixels (paper: 1.0, 3.5, 8.0)"
    )
    seeds: list[int] = Field([0, 1], min_length=1, description="training seeds per width (ours)")
    min_accuracy: float = Field(
        0.5, gt=0, lt=1, description="a model interpolates when its held-out accuracy reaches this"
    )


EFFICIENCY_DATASETS = ("bumps", "bumps+stripes")  # the efficiency study's two training sets


class EfficiencyConfig(_Section):
    fractions: list[float] = Field(
        [0.25, 0.5, 1.0], min_length=2, description="kept fractions λ of the 2D lattice (ours)"
    )
    sizes: list[int] | dict[str, list[int]] = Field(
        [16, 24, 32],
        description="canvas sides N for the scaling: one list for both datasets, or a list per "
        "dataset ({bumps: [...], bumps+stripes: [...]}; a dataset left out or given [] trains "
        "no model), "
        "each increasing (ours)",
    )
    margin: float = Field(
        1.0, ge=0, description="the lattice spans [margin, N - 1 - margin] on each axis (ours)"
    )
    seeds: list[int] = Field([0], min_length=1, description="training seeds per member (ours)")
    target: float = Field(
        0.6, gt=0, lt=1, description="accuracy whose dataset size is fitted (paper)"
    )

    _fractions = field_validator("fractions")(classmethod(_increasing_fractions))

    @field_validator("sizes")
    @classmethod
    def _sizes(cls, v: list[int] | dict[str, list[int]]) -> list[int] | dict[str, list[int]]:
        if isinstance(v, dict) and (set(v) - set(EFFICIENCY_DATASETS)):
            raise ValueError(f"a mapping's keys must be among {list(EFFICIENCY_DATASETS)}")
        lists = list(v.values()) if isinstance(v, dict) else [v]
        if not any(lists) or any(n < 4 for n in sum(lists, [])):
            raise ValueError("must name canvas sides of at least 4 (a mapping's [] trains none)")
        if any(sorted(set(sizes)) != sizes for sizes in lists):
            raise ValueError("each list must be increasing")
        return v

    def sizes_of(self, dataset: str) -> list[int]:
        """The canvas sides ``dataset`` is trained on (none where a mapping leaves it out)."""
        return list(self.sizes) if isinstance(self.sizes, list) else self.sizes.get(dataset, [])
