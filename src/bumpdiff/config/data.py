"""The data section: what images a run trains on (kinds, canvas, lattice, held-out regions)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from bumpdiff.config.common import _Section

MAX_DATA_GB = 4.0  # the training images are held in memory; a 2-core, 24 GiB machine (ours)
ImageKind = Literal["bump", "vstripe", "hstripe", "sos"]
HoldoutKind = Literal["none", "cross", "rim", "lesion", "square"]


class HoldoutConfig(_Section):
    """Conditions of the 2D images (bumps, sums of stripes) left out of training
    (``bumpdiff.data.holdout``); stripes are never held out."""

    kind: HoldoutKind = Field(
        "none",
        description="cross: x or y in the band; rim: all but a rim of the given width (the rim is "
        "trained); lesion: a vertical band of the given width through the centre; square: a "
        "width x width square (follow-up, Fig. 4, 10-12)",
    )
    band: tuple[float, float] = Field(
        (13.0, 19.0), description="the cross's band [lo, hi], label coordinates (paper: 13-19)"
    )
    width: float = Field(
        3.5, gt=0, description="lesion width, rim width or square side, pixels (paper: 1-8)"
    )
    place: Literal["interior", "exterior"] = Field(
        "interior", description="the square at the lattice's centre or at its corner (paper)"
    )


def _kinds_compatible(data: DataConfig) -> None:
    """Bumps and sums of stripes share labels, so one dataset cannot hold both; stripes have no
    periodic or permuted-label form."""
    kinds = set(data.kinds)
    if len(kinds) != len(data.kinds):
        raise ValueError(f"data.kinds: each kind at most once, got {data.kinds}")
    if {"bump", "sos"} <= kinds:
        raise ValueError("data.kinds: bump and sos share their labels; use one of them")
    if kinds != {"bump"} and (data.periodic or data.permute_labels):
        raise ValueError(
            f"data.kinds: {sorted(kinds)} with a periodic canvas or permuted labels is not "
            "supported; use kinds [bump]"
        )
    if data.canvas is not None and (data.canvas < data.size or data.periodic):
        raise ValueError(
            f"data.canvas: must be at least data.size ({data.size}) and the canvas not periodic, "
            f"got {data.canvas}"
        )
    if data.holdout.kind != "none" and not kinds & {"bump", "sos"}:
        raise ValueError("data.holdout: holds out 2D conditions; add bump or sos to data.kinds")


class DataConfig(_Section):
    size: int = Field(32, ge=4, le=256, description="canvas side N, pixels (paper: 32)")
    canvas: int | None = Field(
        None,
        ge=4,
        le=512,
        description="side of the latent canvas the images are rendered on before the centred "
        "N x N crop; labels and ranges are in its coordinates (follow-up: 44 for N = 32); None = N",
    )
    kinds: list[ImageKind] = Field(
        ["bump"],
        min_length=1,
        description="images in the training set: 2D bumps, vertical (x only) or horizontal "
        "(y only) stripes, sums of a vertical and a horizontal stripe (follow-up; "
        "bumpdiff.data.dataset)",
    )
    holdout: HoldoutConfig = HoldoutConfig()
    sigma: float = Field(
        1.0,
        gt=0,
        le=64,
        description="bump width, pixels (ours; not stated); the width along x where sigma_y is set",
    )
    sigma_y: float | None = Field(
        None,
        gt=0,
        le=64,
        description="bump width along y, pixels, where it differs from "
        "sigma's (ours: anisotropic bumps, for coupling designs whose axes are learned at "
        "different paces; the follow-up varies widths per axis); null = sigma",
    )
    dx: float = Field(1.0, gt=0, description="lattice spacing along x, pixels (paper: 1.0 or 0.1)")
    dy: float = Field(1.0, gt=0, description="lattice spacing along y, pixels (paper: 1.0)")
    x_range: tuple[float, float] | None = Field(
        None, description="[lo, hi] of bump centres along x, pixels; None = whole canvas (ours)"
    )
    y_range: tuple[float, float] | None = Field(
        None, description="[lo, hi] of bump centres along y, pixels; None = whole canvas (ours)"
    )
    periodic: bool = Field(False, description="wrap bumps across the border (follow-up, Fig. 2)")
    keep_fraction: float = Field(
        1.0,
        gt=0,
        le=1,
        description="λ: the fraction of lattice conditions kept for training, a fixed random "
        "subset seeded by seed (follow-up: subsampling); evaluation still covers the lattice",
    )
    permute_labels: bool = Field(
        False,
        description="label each image with another lattice point, a fixed random bijection seeded "
        "by seed: a null control (ours)",
    )

    @property
    def sigmas(self) -> tuple[float, float]:
        """(σx, σy) of the rendered bumps and stripes."""
        return (self.sigma, self.sigma if self.sigma_y is None else self.sigma_y)

    @property
    def extent(self) -> int:
        """The side of the canvas labels live on: the latent canvas, or the visible one."""
        return self.canvas or self.size

    @property
    def offset(self) -> float:
        """Latent coordinate of the visible frame's first pixel."""
        return (self.extent - self.size) / 2

    @model_validator(mode="after")
    def _ranges_on_canvas(self) -> DataConfig:
        _kinds_compatible(self)
        hi = self.extent - 1
        for name in ("x_range", "y_range"):
            rng = getattr(self, name)
            if rng is None:
                continue
            lo_v, hi_v = rng
            if not (0 <= lo_v <= hi_v <= hi):
                raise ValueError(
                    f"data.{name}: must satisfy 0 <= lo <= hi <= {hi}, got {list(rng)}"
                )
        counts = {}
        for axis, spacing in (("x", self.dx), ("y", self.dy)):
            lo_v, hi_v = self.axis_range(axis)
            counts[axis] = int((hi_v - lo_v) / spacing + 1e-9) + 1
        images = counts["x"] * counts["y"] * len(self.kinds) + counts["x"] + counts["y"]
        gigabytes = images * self.size**2 * 4 / 1e9  # float32 training images (at most)
        if gigabytes > MAX_DATA_GB:
            axis = "dx" if counts["x"] >= counts["y"] else "dy"
            raise ValueError(
                f"data.{axis}: the lattice would hold {counts['x']} × {counts['y']} images "
                f"({gigabytes:.3g} GB, at most {MAX_DATA_GB:g} GB); use a coarser spacing, "
                f"got {getattr(self, axis)}"
            )
        return self

    def axis_range(self, axis: Literal["x", "y"]) -> tuple[float, float]:
        """The (lo, hi) range of centres along one axis, the whole canvas when unset."""
        rng = self.x_range if axis == "x" else self.y_range
        return (0.0, float(self.extent - 1)) if rng is None else (float(rng[0]), float(rng[1]))
