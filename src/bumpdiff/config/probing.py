"""The probe's settings and the phase rule's thresholds (bumpdiff.probe, analysis/pipeline.py).

Every number is a field with bounds and a description saying where it comes from; the phase
thresholds were chosen on recorded evidence: results/phase-calibration/README.md.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from bumpdiff.config.common import _Section


class ProbeConfig(_Section):
    layer: str = Field("layer4", description="probe point; layer4 = last down block (paper)")
    input: Literal["noise", "shared_noise", "noised_data"] = Field(
        "noise",
        description="probe input: independent noise per draw at t (ours; docs/science.md, 'Probe')",
    )
    t: int = Field(999, ge=0, description="timestep of the probe input, 0..T-1 (ours)")
    draws: int = Field(
        64,
        ge=1,
        le=256,
        description="independent inputs per condition; the phase rule needs reliable means "
        "(ours: results/quick/probe-draws.json)",
    )
    max_conditions: int = Field(256, ge=4, le=100000, description="probe grid size cap (ours)")
    umap_neighbors: int = Field(15, ge=2, le=200, description="UMAP n_neighbors (ours)")
    umap_min_dist: float = Field(0.1, ge=0, le=1, description="UMAP min_dist (umap-learn default)")
    knn: int = Field(8, ge=2, le=100, description="neighbours for overlap and local PCA (ours)")
    pcs: int = Field(10, ge=1, le=100, description="PCA components for R² on raw activations")
    seed: int = Field(4321, ge=0, description="seed of the probe inputs, fixed across checkpoints")
    placement_t: int | None = Field(
        500,
        ge=1,
        description="timestep of the placement probe (bumps at ν under conditions μ) and the x̂₀ "
        "readout, 1..T-1; None = off (ours)",
    )
    placement_more_t: list[int] = Field(
        [],
        max_length=8,
        description="further timesteps of the placement probe, reported beside the main one "
        "(shares, order, readout), each 1..T-1 (ours; the presets: [250, 750])",
    )
    placement_positions: int = Field(
        16, ge=2, le=256, description="positions ν of the placement probe, from the lattice (ours)"
    )


class TrajectoryConfig(_Section):
    """The trajectory probe (probe/trajectory.py): the probed layer read along each evaluation
    sample at these sampler timesteps, beside controls fed the same x_t."""

    t: list[int] = Field(
        [],
        max_length=12,
        description="timesteps at which the layer is read along each evaluation sample, each "
        "0..T-1, captured at the first sampler step at or below it; [] = off (ours)",
    )
    min_learned: float = Field(
        0.04,
        ge=0,
        le=1,
        description="trustworthiness the trained layer must exceed every control by (its "
        "bootstrap interval above it) for a trajectory phase B or C (ours: the next 0.01 above "
        "every null layer's bootstrap low along the quick run's generations, "
        "results/quick/trajectory-calibration.json; calibrate other models with bumpdiff "
        "evidence trajectory-calibration)",
    )
    seed: int = Field(0, ge=0, description="seed of the shuffled-weights control and bootstrap")

    @field_validator("t")
    @classmethod
    def _distinct(cls, v: list[int]) -> list[int]:
        if len(set(v)) != len(v) or any(t < 0 for t in v):
            raise ValueError("must be distinct timesteps >= 0")
        return v


CALIBRATED = " (ours; chosen in results/phase-calibration/)"


class PhaseConfig(_Section):
    """Thresholds of the phase rule (bumpdiff.probe.phase); all ours, chosen on synthetic clouds
    with known answers and on the untrained network: results/phase-calibration/README.md."""

    min_condition_share: float = Field(
        0.01,
        ge=-1,
        le=1,
        description="A below: the condition explains < this share of the variance" + CALIBRATED,
    )
    min_reliability: float = Field(
        0.5,
        ge=0,
        le=1,
        description="B or C need the per-condition means' split-half reliability (all features) "
        "≥ this: the condition's signal at least as large as the noise in the means; below, "
        "undetermined" + CALIBRATED,
    )
    min_component_reliability: float = Field(
        0.8,
        ge=0,
        le=1,
        description="a principal direction of the per-condition means counts when its split-half "
        "reliability is ≥ this; fewer than 2 such directions: undetermined" + CALIBRATED,
    )
    max_dimension: float = Field(
        3.0,
        gt=0,
        description="B needs the reliable means' local PCA dimension ≤ this; with one row per "
        "condition, above it is A" + CALIBRATED,
    )
    min_half_agreement: float = Field(
        0.9,
        ge=0,
        le=1,
        description="B needs the two halves of the draws to arrange the reliable means alike "
        "(trustworthiness of one as a map of the other) ≥ this: disorder that is not noise"
        + CALIBRATED,
    )
    min_trustworthiness: float = Field(
        0.88, ge=0, le=1, description="C needs this neighbour preservation" + CALIBRATED
    )
    min_r2: float = Field(
        0.8,
        ge=0,
        le=1,
        description="C needs R²_x and R²_y on the reliable means ≥ this" + CALIBRATED,
    )
    min_readout: float = Field(
        0.5,
        ge=0,
        le=1,
        description="a checkpoint's C needs the x̂₀ readout to put the bump at the condition for "
        "≥ this share of crossed inputs; otherwise the order is the encoder's, relayed"
        + CALIBRATED,
    )
