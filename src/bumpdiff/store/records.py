"""The run folder's typed contents (docs/architecture.md, "The run folder"), declared once.

Every row of ``metrics.jsonl`` is one of the ``*Row`` models below, told apart by its ``event``;
``phases.json`` is a list of ``PhaseEntry``; ``coupling.json`` a ``CouplingSummary``;
``samplers.json`` a ``SamplerStudy``. ``RunFolder`` reads and writes them only through these
models, so a field is named in one place. Floats may be NaN (an undefined metric): ``null`` in
the files, which are strict JSON, and NaN again when read.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter

# A float that may be undefined: NaN in memory, null in the files (strict JSON has no NaN).
Real = Annotated[float, BeforeValidator(lambda v: math.nan if v is None else v)]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---- metrics.jsonl ---------------------------------------------------------------------------
class StartRow(_Record):
    """Training began: dataset size, parameter count, device, checkpoint schedule."""

    event: Literal["start"] = "start"
    step: int
    n_images: int
    parameters: int
    device: str
    schedule: list[int]


class TrainRow(_Record):
    """Mean loss since the previous row; seconds since this process started training."""

    event: Literal["train"] = "train"
    step: int
    loss: Real
    seconds: Real


class CheckpointRow(_Record):
    event: Literal["checkpoint"] = "checkpoint"
    step: int


class InterruptedRow(_Record):
    event: Literal["interrupted"] = "interrupted"
    step: int


class EvalRow(_Record):
    """One checkpoint's generated images, classified (evaluate.summarize) with the sampler used."""

    event: Literal["eval"] = "eval"
    step: int
    sampler: str
    sampler_steps: int
    seconds: Real
    n: int
    frac_none: Real
    frac_multiple: Real
    frac_mislocated: Real
    frac_correct: Real
    accuracy: Real
    x_accuracy: Real
    y_accuracy: Real
    mean_error: Real
    median_error: Real
    frac_raised: float | None = None  # images on a raised background (prominence rule)
    frac_bump: Real | None = None  # images with at least one bump
    x_accuracy_dominant: Real | None = None  # among images with a bump: dominant bump x right
    y_accuracy_dominant: Real | None = None
    x_median_error: Real | None = None  # median |x̂ - mu_x| of the dominant bumps, pixels
    y_median_error: Real | None = None
    # among images with a bump: P(x and y right) vs P(x right)·P(y right) (scoring/coupling.py)
    xy_joint_dominant: Real | None = None
    xy_product_dominant: Real | None = None
    xy_excess_dominant: Real | None = None
    xy_excess_low_dominant: Real | None = None
    xy_excess_high_dominant: Real | None = None
    behaviour_coverage: Real | None = None  # conditions with a generated bump (probe.behaviour)
    behaviour_trustworthiness: Real | None = None  # generated positions laid out like conditions
    behaviour_r2_x: Real | None = None
    behaviour_r2_y: Real | None = None
    detector: str = ""  # analysis.detector_signature: rows made otherwise are analysed again
    clip: bool | None = None  # sample.clip
    file_sha256: str | None = None  # of samples/<step>.npz (store/analysis_files.py)
    # the trajectory probe (analysis/trajectory.py): made with trajectory_rule's settings
    trajectory_rule: str = ""
    trajectory: list[dict[str, Real | None]] = []  # one entry per captured timestep
    trajectory_phase: str | None = None
    trajectory_seconds: Real | None = None  # the probe's own time (controls and measures)
    decided_t_generated: int | None = None  # x̂₀ at the final place from this t down
    decided_t_condition: int | None = None  # x̂₀ at the condition from this t down

    def describe(self) -> str:
        """One line for the command line: accuracy, outcome fractions, per-axis accuracy."""
        return (
            f"accuracy {self.accuracy:.1%}, none {self.frac_none:.1%}, multiple "
            f"{self.frac_multiple:.1%}, mislocated {self.frac_mislocated:.1%}, x "
            f"{self.x_accuracy:.1%}, y {self.y_accuracy:.1%} ({self.sampler}-{self.sampler_steps})"
        )

    def fractions(self) -> dict[str, Real]:
        """The outcome fractions as {"none", "multiple", "mislocated", "correct"}."""
        return {
            "none": self.frac_none,
            "multiple": self.frac_multiple,
            "mislocated": self.frac_mislocated,
            "correct": self.frac_correct,
        }


class ProbeMetrics(_Record):
    """Order metrics of a probed layer (probe.phase.representation_metrics)."""

    condition_share: Real
    condition_share_null: Real
    dimension: Real
    participation_ratio: Real
    knn_overlap: Real
    knn_chance: Real
    trustworthiness: Real
    r2_x: Real
    r2_y: Real
    r2_x_pca: Real
    r2_y_pca: Real
    pca_top4: Real
    spread: Real
    # the reliable means (probe/reliability.py); absent in rows written before they existed
    reliability: Real | None = None  # split-half, all features pooled
    reliable_dims: Real | None = None  # leading components at least phase.min_component_reliability
    half_agreement: Real | None = None  # the halves' arrangements alike (B needs it)
    trustworthiness_raw: Real | None = None  # on the raw means, for comparison
    component_reliability_1: Real | None = None
    component_reliability_2: Real | None = None


class ProbeRow(ProbeMetrics):
    """One checkpoint's probe: the phase, where and how it was probed, and the metrics.
    ``phase`` is the checkpoint's (probe.phase.checkpoint_phase: the layer's, with C turned into
    "relay" where the network does not use the order); ``layer_phase`` the layer's alone."""

    event: Literal["probe"] = "probe"
    step: int
    file_sha256: str | None = None  # of probes/<step>.npz (store/analysis_files.py)
    phase: str
    layer: str
    input: str
    features: int
    capture_seconds: Real
    metrics_seconds: Real
    layer_phase: str | None = None
    rule: str = ""  # analysis.probe_signature: rows made otherwise are probed again
    # controls (probe/placement.py); absent in rows written before they existed
    encoder_trustworthiness: Real | None = None  # the conditioning embedding alone
    encoder_r2: Real | None = None
    encoder_cka: Real | None = None  # layer means vs the embedding: 1 = a relay of it
    placement_share_mu: Real | None = None  # crossed probe at probe.placement_t: μ, ν, μ×ν
    placement_share_nu: Real | None = None
    placement_share_interaction: Real | None = None
    placement_trustworthiness: Real | None = None  # order of the μ-marginal means
    placement_r2: Real | None = None
    placement_reliability: Real | None = None
    readout_pull: Real | None = None  # x̂₀'s bump from ν (0) toward μ (1)
    readout_at_condition: Real | None = None
    readout_at_input: Real | None = None
    readout_none: Real | None = None
    # the placement probe at probe.placement_more_t: "<control>_t<t>" (analysis.PLACEMENT_MORE)
    placement_more: dict[str, Real] = {}
    # with data.permute_labels: the layer against where the bumps go (analysis.target_controls)
    targets_phase: str | None = None
    targets_trustworthiness: Real | None = None
    targets_trustworthiness_raw: Real | None = None

    def describe(self) -> str:
        """One line for the command line: the phase and the order metrics."""
        return (
            f"phase {self.phase}, R²x {self.r2_x:.2f}, R²y {self.r2_y:.2f}, trustworthiness "
            f"{self.trustworthiness:.2f}, R²(PCs) {self.r2_x_pca:.2f}/{self.r2_y_pca:.2f}, "
            f"condition share {self.condition_share:.2f}, dimension {self.dimension:g}"
        )


MetricsRow = Annotated[
    StartRow | TrainRow | CheckpointRow | InterruptedRow | EvalRow | ProbeRow,
    Field(discriminator="event"),
]
METRICS_ROW = TypeAdapter(MetricsRow)


# ---- phases.json -----------------------------------------------------------------------------
class PhaseProbe(_Record):
    """The probe metrics that phases.json keeps per checkpoint."""

    condition_share: Real
    knn_overlap: Real
    trustworthiness: Real
    knn_chance: Real
    dimension: Real
    participation_ratio: Real
    r2_x_pca: Real
    r2_y_pca: Real
    spread: Real
    reliability: Real | None = None
    reliable_dims: Real | None = None
    half_agreement: Real | None = None
    trustworthiness_raw: Real | None = None


class PhaseEntry(_Record):
    """One checkpoint of phases.json: its phase, what it generated and how ordered it is."""

    step: int
    phase: str  # the checkpoint's: A, B, C, relay or undetermined (ProbeRow.phase)
    accuracy: Real
    fractions: dict[str, Real]
    x_accuracy: Real
    y_accuracy: Real
    r2_x: Real
    r2_y: Real
    probe: PhaseProbe
    sampler: str
    raised: float | None = None  # share of images on a raised background
    detector: str = ""
    behaviour: dict[str, Real] = {}  # order of the generated positions (probe.behaviour)
    controls: dict[str, Real] = {}  # the probe's controls and the placement probe (ProbeRow)
    layer_phase: str | None = None  # the layer's phase alone (probe.phase.phase_of)
    targets_phase: str | None = None  # permuted labels: the layer against where bumps go
    trajectory: list[dict[str, Real | None]] = []  # EvalRow's: the trajectory probe per t
    trajectory_phase: str | None = None
    decided_t_generated: int | None = None
    decided_t_condition: int | None = None


PHASE_ENTRIES = TypeAdapter(list[PhaseEntry])


# ---- rescore.json ----------------------------------------------------------------------------
class RescoreStep(_Record):
    """One checkpoint's saved samples classified under every rule, and how the rules disagree."""

    step: int
    images: int
    fractions: dict[str, dict[str, Real]]  # rule → outcome → share of images
    confusion: dict[str, list[list[int]]]  # threshold rule → 4×4 counts, rows: the run's rule
    raised: Real  # share of images on a raised background


class Rescore(_Record):
    """rescore.json (``bumpdiff evaluate RUN --rescore``): the rules and every checkpoint."""

    rules: dict[str, str]  # name → what it does
    outcomes: list[str]  # the order of the confusion tables' rows and columns
    steps: list[RescoreStep]


# ---- coupling.json ---------------------------------------------------------------------------
class CouplingVariant(_Record):
    """One (dx, dy) dataset of the imbalanced experiment: means over seeds and per-seed lists."""

    dx: Real
    dy: Real
    seeds: list[int]
    n_x: int
    n_y: int
    x_step50: float | None
    y_step50: float | None
    x_step90: float | None
    y_step90: float | None
    ratio50: float | None
    ratio90: float | None
    curve_corr: float | None
    x_step50_per_seed: list[float | None]
    y_step50_per_seed: list[float | None]
    x_step90_per_seed: list[float | None]
    y_step90_per_seed: list[float | None]
    ratio50_per_seed: list[float | None]
    ratio90_per_seed: list[float | None]
    curve_corr_per_seed: list[float | None]
    factorized_ratio50: float | None = None  # geometric mean over seeds of the 1D references
    factorized_ratio50_per_seed: list[float | None] = []  # x alone's step / y alone's step
    coupled_ratio50_per_seed: list[float | None] = []  # the balanced variant's ratios
    measure: str = "dominant"  # the per-axis accuracy the curves use
    verdict: str = "undetermined"
    verdict_stats: dict[str, Real] = {}  # imbalanced_stats.coupling_verdict
    # per image (imbalanced_stats.learning_excess): P(x and y right) − P(x right)·P(y right)
    # while both axes are learned, per seed, its mean, standard error and answer
    joint_excess_per_seed: list[float | None] = []
    joint_excess: float | None = None
    joint_excess_se: float | None = None
    joint_excess_answer: str = "not measured"
    # per axis, the accuracy of a generator blind to that axis's condition (the best single place
    # for every bump: design_power.blind_accuracy); at 50 % or more the axis's step measures
    # nothing conditional and the verdict stays undetermined; absent in older files
    blind_x: float | None = None
    blind_y: float | None = None


class CouplingSummary(_Record):
    variants: list[CouplingVariant]
    verdict: str
    # the tolerances every accuracy was read with (files made before the fields: not recorded)
    eval_tolerance: float | None = None
    eval_tolerance_x: float | None = None


# ---- samplers.json ---------------------------------------------------------------------------
class SamplerRow(_Record):
    """One sampler on one checkpoint: cost, accuracy, outcome fractions and each image's outcome
    (``outcome_codes``: one digit per image, the index into scoring.outcomes.OUTCOMES)."""

    # the stage's dominant outcome (its middle checkpoint) or "final"; in the studies of
    # benchmarks/cpu-2core*.json, the layer's phase ("A", "B", "C")
    checkpoint: str
    step: int
    sampler: str
    steps: int
    precision: str = "fp32"
    noise: str = "own"  # "brownian": driven by DDPM-T's noise path (diffusion/brownian.py)
    clip: bool = True  # x̂₀ clipped on the way (files without the field: clipped)
    images: int
    seconds_per_image: Real
    accuracy: Real
    fractions: dict[str, Real]
    outcome_codes: str = ""
    nfe: int


class SamplerVerdict(_Record):
    """One candidate against DDPM-T (experiments.samplers_stats.choose_sampler)."""

    sampler: str
    steps: int
    precision: str = "fp32"
    noise: str = "own"
    clip: bool = True
    passes: bool
    evidence: str
    final_accuracy_diff: float | None
    final_accuracy_se: float | None
    worst_fraction_diff: Real
    worst_fraction_se: Real
    worst_fraction_at: str | None


class SamplerChoice(_Record):
    chosen: SamplerVerdict | None
    candidates: list[SamplerVerdict]
    accuracy_tolerance: Real
    fraction_tolerance: Real
    z: Real


class SamplerStudy(_Record):
    """samplers.json: the study's rows (written as they are measured) and, once done, the choice."""

    run: str
    checkpoints: dict[str, int]
    rows: list[SamplerRow] = []
    choice: SamplerChoice | None = None
    # a committed study whose choice a later study replaced: {"file": …, "why": …}
    choice_superseded_by: dict[str, str] | None = None
