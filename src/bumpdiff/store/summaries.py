"""The summaries of the follow-up studies (``percolation.json``, ``torus.json``, ``compose.json``,
``interpolate.json``, ``efficiency.json``) and of the phase rule's own studies
(``calibration.json``, ``probe-draws.json``), declared once as typed records like those of
``records.py``; ``RunFolder.write_summary`` validates a study's summary against its model before
writing it, ``RunFolder.read_summary`` reads it back as the model. Floats may be undefined: NaN
in memory, ``null`` in the files.
"""

from __future__ import annotations

from pydantic import Field

from bumpdiff.store.records import Real, _Record


class Spread(_Record):
    """One measure over the seeds: mean, range and each seed's value."""

    mean: Real
    min: Real
    max: Real
    per_seed: list[Real]


# ---- percolation.json ------------------------------------------------------------------------
class SimulatedCurve(_Record):
    """The largest cluster's share of the lattice against the kept fraction λ, one σ and
    overlap threshold; ``critical``: λ_c, where half of the random subsets span the lattice."""

    sigma: float
    threshold: float
    radius: Real  # the farthest two sites joined by the threshold, pixels
    fractions: list[float]
    mean: list[Real]
    p10: list[Real]
    p90: list[Real]
    spanning: list[Real]
    critical: Real


class TrainedPoint(_Record):
    """The terminal accuracies of the models trained at one (σ, λ), per seed."""

    sigma: float
    fraction: float
    seeds: list[int]
    overall: list[Real]
    trained: list[Real]
    heldout: list[Real]
    evaluated: list[int] = []  # evaluation images per seed; absent in older files


class OnsetWidth(_Record):
    """One σ: mean accuracy against λ, the bracket of its onset, whether it tracks each λ_c."""

    sigma: float
    fractions: list[float]
    accuracy: list[Real]
    bracket: list[Real] | None  # None: no onset inside the λ grid
    tracks: dict[float, bool | None]  # overlap threshold → tracks its λ_c
    # the onset's bootstrap interval (experiments/percolation_onset.py; None: never reached);
    # absent in files written before it, whose verdicts come from the bracket
    interval: dict[str, Real | None] | None = None


class OnsetResult(_Record):
    widths: list[OnsetWidth]
    verdicts: dict[float, str]  # overlap threshold → yes / partly / no / undetermined
    sentences: list[str]


class PercolationSummary(_Record):
    # the settings every seed shares (experiments/members.py design_of); absent in older files
    design: dict | None = None
    simulation: list[SimulatedCurve]
    trained: list[TrainedPoint]
    result: OnsetResult


# ---- torus.json ------------------------------------------------------------------------------
class TorusStats(_Record):
    """The factorization statistics (probe/geometry.py)."""

    x_on_y: Real
    x_on_x: Real
    y_on_y: Real


class TorusCheckpoint(TorusStats):
    step: int
    accuracy: Real
    reliability: Real
    spectrum: list[Real]
    top: int
    top_share: Real
    effective_dimension: Real


class TorusVerdict(_Record):
    """A representation named after the ideal torus it is clearly closer to."""

    verdict: str
    distance: dict[str, Real]  # "factorized" / "coupled" → distance to that ideal torus
    ideal: dict[str, TorusStats]
    stats: TorusStats


class TorusChange(TorusVerdict):
    """A verdict with each half's (torus_stats._judged): the trained minus the untrained means
    (learned_change), the response to the input's position and its change (input_response)."""

    halves: list[str]
    answer: str


class TorusNulls(_Record):
    """The controls of the verdicts over seeds (torus_seeds): statistics of the weight-shuffled
    last checkpoint's means and input response, of the untrained network's input response, and
    of the changes the shuffled copy makes from the untrained network (changes without
    learning); ``lattice``: the conditions' nx, ny."""

    lattice: list[int]
    shuffled: TorusStats
    shuffled_change: TorusStats
    untrained_input: TorusStats | None = None  # crossed inputs only
    shuffled_input: TorusStats | None = None
    shuffled_input_change: TorusStats | None = None


class TorusTerminal(_Record):
    reliability: Real
    model: TorusVerdict
    halves: list[str]
    encoder: TorusVerdict
    permuted: TorusVerdict
    untrained: TorusVerdict
    learned_change: TorusChange | None = None  # absent in files written before it existed
    input: TorusChange | None = None  # crossed inputs only; absent in older files
    input_change: TorusChange | None = None
    nulls: TorusNulls | None = None  # absent in files written before the shuffled control
    long_lived: list[int]  # long-lived features per homology dimension
    diagrams: list[list[list[Real]]]
    answer: str


class TorusSnapshot(_Record):
    step: int
    conditions: list[list[float]]
    pcs: list[list[Real]]


class TorusSummary(_Record):
    checkpoints: list[TorusCheckpoint]
    terminal: TorusTerminal
    sentences: list[str]
    snapshots: list[TorusSnapshot]


# ---- compose.json ----------------------------------------------------------------------------
class ComposeSummary(_Record):
    models: dict[str, dict[str, Spread]]  # model → part of the lattice → SOS accuracy
    answers: dict[str, str]
    sentences: list[str]


# ---- interpolate.json ------------------------------------------------------------------------
class UmapView(_Record):
    conditions: list[list[float]]
    embedding: list[list[Real]]
    held_out: list[bool]
    phase: str


class LesionWidth(_Record):
    width: float
    inside: Spread = Field(alias="in")  # accuracy on the trained conditions
    lesion: Spread  # accuracy on the held-out lesion
    umap: UmapView | None = None

    model_config = {**_Record.model_config, "populate_by_name": True}


class InterpolateSummary(_Record):
    widths: list[LesionWidth]
    answers: dict[str, str]  # lesion width → yes / no
    sentences: list[str]


# ---- efficiency.json -------------------------------------------------------------------------
class EfficiencyMember(_Record):
    dataset: str
    size: int
    fraction: float
    seeds: list[int] = []  # absent in older files (their lists follow the config's seeds)
    images: list[int]
    accuracy: list[Real]
    evaluated: list[int] = []  # evaluation images per seed; absent in older files


class Needed(_Record):
    """Training images needed for the accuracy target, or a bound where it was not crossed."""

    value: Real
    bound: str


class ExponentFit(_Record):
    exponent: Real
    se: Real
    prefactor: Real
    points: list[list[float]]


class NeededInterval(_Record):
    """The bootstrap interval of the images needed (efficiency_stats.needed_draws): 2.5 and 97.5
    percentiles of the replicates with an interpolated size, and their share."""

    lo: Real | None
    hi: Real | None
    share: Real


class ExponentSE(_Record):
    """The exponent from the replicates' medians and its bootstrap standard error."""

    exponent: Real | None
    se: Real | None
    used: Real
    canvases: list[int] | None = None  # those with an interpolated size (older files: absent)


class Scaling(_Record):
    canvas: list[int]
    needed: list[Needed]
    fit: ExponentFit | None
    intervals: list[NeededInterval] = []  # absent in older files
    bootstrap: ExponentSE | None = None


class EfficiencySummary(_Record):
    design: dict | None = None  # as PercolationSummary's; absent in older files
    members: list[EfficiencyMember]
    scaling: dict[str, Scaling]
    comparison: dict | None = None  # efficiency_stats.compare_exponents; absent in older files
    sentences: list[str]


# ---- calibration.json ------------------------------------------------------------------------
class _RuleMetrics(_Record):
    """What the phase rule measured on one cloud or network (probe/phase.py)."""

    phase: str
    condition_share: Real
    condition_share_null: Real
    reliability: Real
    reliable_dims: Real
    half_agreement: Real
    dimension: Real
    trustworthiness: Real
    r2_x_pca: Real
    r2_y_pca: Real
    trustworthiness_raw: Real


class CloudRow(_RuleMetrics):
    floor: float  # phase.min_component_reliability it was judged with
    kind: str  # sheet / permuted / relay / noise
    share: float  # the signal's share of the variance
    draws: int
    seed: int


class UntrainedRow(_RuleMetrics):
    seed: int
    what: str  # "layer": the pure-noise probe; "encoder": the conditioning encoder alone
    draws: int
    readout_at_condition: Real


class CalibrationSummary(_Record):
    untrained: list[UntrainedRow]
    clouds: list[CloudRow]


# ---- probe-draws.json ------------------------------------------------------------------------
class DrawsRow(_Record):
    step: int
    draws: int
    phase: str
    reliability: Real
    reliable_dims: Real
    component_reliability_1: Real
    component_reliability_2: Real
    half_agreement: Real
    dimension: Real
    trustworthiness: Real
    r2_x_pca: Real
    r2_y_pca: Real
    condition_share: Real


class ProbeDrawsSummary(_Record):
    source: str  # the trained run probed
    rows: list[DrawsRow]


# ---- dynamics.json (bumpdiff dynamics RUN) ----------------------------------------------------
class Snapping(_Record):
    """Images generated at off-lattice conditions: how many, with one bump, correct within the
    tolerance, and where the one-bump images lie between condition (0) and training position (1)."""

    images: int
    one_bump: Real
    correct: Real
    median: Real
    mean: Real
    se: Real
    snapped: Real  # share of one-bump images nearer a training position than the condition
    multiple: Real = float("nan")  # share of the images with several bumps


class DynamicsStep(_Record):
    """One checkpoint: between the lattice points, r² of its ε̂ against each baseline's per t
    (and their mean), the best-fitting baseline, the mean generated position per path target."""

    step: int
    snapping: Snapping
    fit: dict[str, dict[str, Real]]  # baseline → {t: r²}
    fit_mean: dict[str, Real]
    best: str | None
    runner_up: str | None = None  # the second best, and best's margin over it in mean r²
    margin: Real = float("nan")
    margin_se: Real = float("nan")  # bootstrap over the fit's images
    paths: list[tuple[Real, Real]]


class BaselineRun(_Record):
    """An analytic denoiser sampled at the evaluation conditions (same sampler and seeds as the
    network's evaluation) and at the off-lattice conditions."""

    label: str
    patch: int | None
    fractions: dict[str, Real]
    outcomes: list[str]  # per image, in the evaluation's image order
    snapping: Snapping


class MechanismAnswer(_Record):
    key: str  # snapping, mosaic, paths
    question: str
    answer: str
    sentence: str


class DynamicsSummary(_Record):
    signature: str  # the settings it was made with: another signature makes it again
    seed: int = 0  # the run's training seed
    keep_fraction: float = 1.0  # its data.keep_fraction λ
    targets: list[tuple[float, float]]
    off_lattice: list[tuple[float, float]]
    baselines: list[BaselineRun]
    rendered: Snapping  # bumps rendered at the off-lattice conditions: the "follows" control
    steps: list[DynamicsStep]
    answers: list[MechanismAnswer] = []  # experiments/mechanisms.py, from the numbers above


SUMMARIES: dict[str, type[_Record]] = {
    "percolation": PercolationSummary,
    "torus": TorusSummary,
    "compose": ComposeSummary,
    "interpolate": InterpolateSummary,
    "efficiency": EfficiencySummary,
    "calibration": CalibrationSummary,
    "probe_draws": ProbeDrawsSummary,
}
