"""The seed paper's imbalanced study's section (``imbalanced``): its dataset variants, seeds, 1D
references and where its coupled and factorized predictions come from."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from bumpdiff.config.common import _Section


class ImbalancedConfig(_Section):
    variants: list[tuple[float, float]] = Field(
        [(0.1, 1.0), (1.0, 0.1), (1.0, 1.0)],
        min_length=1,
        description="(dx, dy) per dataset variant (paper: dx=0.1, dy=1.0)",
    )
    seeds: list[int] = Field(
        [0, 1, 2], min_length=1, description="training seeds per variant (ours; at least 3)"
    )
    references: bool = Field(
        True,
        description="train each axis alone (1D lattices with the variants' spacings, the other "
        "axis fixed at its middle) as the measured factorized reference (ours)",
    )
    measure: Literal["dominant", "single"] = Field(
        "dominant",
        description="per-axis accuracy: the dominant bump of every image with one, or single-"
        "bump images only (the single-bump definition; ours)",
    )
    coupled_from: str | None = Field(
        None,
        description="a finished imbalanced study's coupling.json whose balanced variant's "
        "per-seed ratios are the coupled prediction (designs whose own lattice is balanced, "
        "e.g. anisotropic widths); None: this study's balanced variant (ours)",
    )
    factorized_from: str | None = Field(
        None,
        description="a references.json (a study run with stage: references on the same data) "
        "whose per-seed 1D steps are the factorized prediction, instead of training the "
        "references again (references: false); None: this study's own references (ours)",
    )
    stage: Literal["all", "references"] = Field(
        "all",
        description="all: the 2D variants and the references; references: each axis alone only, "
        "the 1D references a design's power analysis needs before its 2D runs (ours)",
    )

    @model_validator(mode="after")
    def _references_staged(self) -> ImbalancedConfig:
        if self.stage == "references" and not self.references:
            raise ValueError("stage 'references' trains the references: set references: true")
        if self.references and self.factorized_from is not None:
            raise ValueError(
                "factorized_from reads the references another study trained: set references: "
                "false with it (references: true trains them here)"
            )
        return self
