"""The run folder's typed contents (DESIGN.md, "Run folder"), declared once.

Every row of ``metrics.jsonl`` is one of the ``*Row`` models below, told apart by its ``event``;
``phases.json`` is a list of ``PhaseEntry``; ``coupling.json`` a ``CouplingSummary``;
``samplers.json`` a ``SamplerStudy``. ``RunFolder`` reads and writes them only through these
models, so a field is named in one place. Floats may be NaN (an undefined metric); they are written
as JSON ``NaN`` as before.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter


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
    loss: float
    seconds: float


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
    seconds: float
    n: int
    frac_none: float
    frac_multiple: float
    frac_mislocated: float
    frac_correct: float
    accuracy: float
    x_accuracy: float
    y_accuracy: float
    mean_error: float
    median_error: float
    frac_raised: float | None = None  # images on a raised background (prominence rule)
    detector: str = ""  # analysis.detector_signature: rows made otherwise are analysed again
    clip: bool | None = None  # sample.clip

    def fractions(self) -> dict[str, float]:
        """The outcome fractions as {"none", "multiple", "mislocated", "correct"}."""
        return {
            "none": self.frac_none,
            "multiple": self.frac_multiple,
            "mislocated": self.frac_mislocated,
            "correct": self.frac_correct,
        }


class ProbeMetrics(_Record):
    """Order metrics of a probed layer (probe.phase.representation_metrics)."""

    condition_share: float
    condition_share_null: float
    dimension: float
    participation_ratio: float
    knn_overlap: float
    knn_chance: float
    trustworthiness: float
    r2_x: float
    r2_y: float
    r2_x_pca: float
    r2_y_pca: float
    pca_top4: float
    spread: float


class ProbeRow(ProbeMetrics):
    """One checkpoint's probe: the phase, where and how it was probed, and the metrics."""

    event: Literal["probe"] = "probe"
    step: int
    phase: str
    layer: str
    input: str
    features: int
    capture_seconds: float
    metrics_seconds: float


MetricsRow = Annotated[
    StartRow | TrainRow | CheckpointRow | InterruptedRow | EvalRow | ProbeRow,
    Field(discriminator="event"),
]
METRICS_ROW = TypeAdapter(MetricsRow)
EVENTS: dict[str, type[_Record]] = {
    "start": StartRow,
    "train": TrainRow,
    "checkpoint": CheckpointRow,
    "interrupted": InterruptedRow,
    "eval": EvalRow,
    "probe": ProbeRow,
}


# ---- phases.json -----------------------------------------------------------------------------
class PhaseProbe(_Record):
    """The probe metrics that phases.json keeps per checkpoint."""

    condition_share: float
    knn_overlap: float
    trustworthiness: float
    knn_chance: float
    dimension: float
    participation_ratio: float
    r2_x_pca: float
    r2_y_pca: float
    spread: float


class PhaseEntry(_Record):
    """One checkpoint of phases.json: its phase, what it generated and how ordered it is."""

    step: int
    phase: str
    accuracy: float
    fractions: dict[str, float]
    x_accuracy: float
    y_accuracy: float
    r2_x: float
    r2_y: float
    probe: PhaseProbe
    sampler: str
    raised: float | None = None  # share of images on a raised background
    detector: str = ""


PHASE_ENTRIES = TypeAdapter(list[PhaseEntry])


# ---- rescore.json ----------------------------------------------------------------------------
class RescoreStep(_Record):
    """One checkpoint's saved samples classified under every rule, and how the rules disagree."""

    step: int
    images: int
    fractions: dict[str, dict[str, float]]  # rule → outcome → share of images
    confusion: dict[str, list[list[int]]]  # earlier rule → 4×4 counts, rows: the current rule
    raised: float  # share of images on a raised background


class Rescore(_Record):
    """rescore.json (``bumpdiff evaluate RUN --rescore``): the rules and every checkpoint."""

    rules: dict[str, str]  # name → what it does
    outcomes: list[str]  # the order of the confusion tables' rows and columns
    steps: list[RescoreStep]


# ---- coupling.json ---------------------------------------------------------------------------
class CouplingVariant(_Record):
    """One (dx, dy) dataset of the imbalanced experiment: means over seeds and per-seed lists."""

    dx: float
    dy: float
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
    factorized_ratio50: float | None = None
    verdict: str = "undetermined"


class CouplingSummary(_Record):
    variants: list[CouplingVariant]
    verdict: str


# ---- samplers.json ---------------------------------------------------------------------------
class SamplerRow(_Record):
    """One sampler on one checkpoint: cost, accuracy, outcome fractions and each image's outcome
    (``outcome_codes``: one digit per image, the index into evaluate.OUTCOMES)."""

    checkpoint: str  # "A", "B", "C" (the middle checkpoint of that phase) or "final"
    step: int
    sampler: str
    steps: int
    precision: str = "fp32"
    images: int
    seconds_per_image: float
    accuracy: float
    fractions: dict[str, float]
    outcome_codes: str = ""
    nfe: int


class SamplerVerdict(_Record):
    """One candidate against DDPM-T (experiments.samplers_stats.choose_sampler)."""

    sampler: str
    steps: int
    precision: str = "fp32"
    passes: bool
    evidence: str
    final_accuracy_diff: float | None
    final_accuracy_se: float | None
    worst_fraction_diff: float
    worst_fraction_se: float
    worst_fraction_at: str | None


class SamplerChoice(_Record):
    chosen: SamplerVerdict | None
    candidates: list[SamplerVerdict]
    accuracy_tolerance: float
    fraction_tolerance: float
    z: float


class SamplerStudy(_Record):
    """samplers.json: the study's rows (written as they are measured) and, once done, the choice."""

    run: str
    checkpoints: dict[str, int]
    rows: list[SamplerRow] = []
    choice: SamplerChoice | None = None
