"""Config of the mechanisms analysis (``bumpdiff dynamics RUN``): what the model does between the
lattice points, how close it is to analytic denoisers of its training set, and the paths its
generated positions take over training. Every value is ours: the papers have no such study."""

from __future__ import annotations

from pydantic import Field, field_validator

from bumpdiff.config.common import _Section


class MechanismsConfig(_Section):
    bandwidth: float = Field(
        0.0,
        ge=0,
        le=100,
        description="label kernel of the analytic denoisers, pixels: 0 = only the training "
        "images of the nearest label (ours)",
    )
    patch_sizes: list[int] = Field(
        [3, 5, 7],
        min_length=1,
        description="window sides P of the patch denoiser; the ideal denoiser (P = the image "
        "size) is always added (ours)",
    )
    fit_t: list[int] = Field(
        [50, 150, 300, 500],
        min_length=1,
        description="timesteps at which ε̂ of the network is compared with each baseline's (ours)",
    )
    fit_images: int = Field(
        64, ge=2, le=4096, description="noised training images per timestep of the fit (ours)"
    )
    baseline_conditions: int = Field(
        64, ge=1, le=4096, description="evaluation conditions the baselines generate at (ours)"
    )
    targets: list[tuple[float, float]] | None = Field(
        None,
        description="conditions whose generated positions are drawn as paths over training; "
        "None = two lattice points and two off-lattice points of the run (ours)",
    )
    path_draws: int = Field(
        8, ge=1, le=1024, description="images per path target at each checkpoint (ours)"
    )
    tolerance: float = Field(
        0.1,
        gt=0,
        lt=1,
        description="a baseline's multiple-bump fraction within this of the network's (paired, "
        "95 % interval) counts as the same (ours)",
    )
    seed: int = Field(
        2024, ge=0, description="seed of the off-lattice and path draws and the fit's noise (ours)"
    )

    @field_validator("patch_sizes")
    @classmethod
    def _odd_increasing(cls, v: list[int]) -> list[int]:
        if any(p < 1 or p % 2 == 0 for p in v) or sorted(set(v)) != v:
            raise ValueError("must be increasing odd sides ≥ 1 (a window centred on its pixel)")
        return v

    @field_validator("fit_t")
    @classmethod
    def _timesteps(cls, v: list[int]) -> list[int]:
        if any(t < 0 for t in v) or sorted(set(v)) != v:
            raise ValueError("must be increasing timesteps ≥ 0")
        return v
