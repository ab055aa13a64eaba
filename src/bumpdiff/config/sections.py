"""The sections of a bumpdiff config: pydantic models with bounds and descriptions, one-line errors.

Each number is a field with bounds and a description saying whether the value comes from the papers
(Liang, Liu & Fiete, arXiv 2402.03305; Liang, Liu, Ostrow & Fiete, arXiv 2408.13256) or is ours.
The fully resolved config is written to ``config.yaml`` in every run folder.
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import Field, model_validator

from bumpdiff.config.calibration import CalibrationConfig, ProbeDrawsConfig
from bumpdiff.config.common import _Section
from bumpdiff.config.coupling import ImbalancedConfig  # noqa: F401  (re-exported)
from bumpdiff.config.data import DataConfig  # noqa: F401  (re-exported by bumpdiff.config)
from bumpdiff.config.experiments import EXPERIMENT_NAMES
from bumpdiff.config.followup import (
    ComposeConfig,
    EfficiencyConfig,
    InterpolateConfig,
    PercolationConfig,
    TorusConfig,
)
from bumpdiff.config.mechanisms import MechanismsConfig
from bumpdiff.config.probing import PhaseConfig, ProbeConfig, TrajectoryConfig

# ddpm_trailing: strided DDPM on diffusers' "trailing" spacing (its first step at T - 1, as
# DDPM-T's; "ddpm" strides on "leading" spacing, its first step at T - T/steps)
SamplerName = Literal["ddpm", "ddpm_trailing", "ddim", "dpmpp", "dpmpp_sde", "euler_a", "sa_solver"]
ExperimentName = Literal[EXPERIMENT_NAMES]  # declared once: config/experiments.py


class ModelConfig(_Section):
    channels: list[int] = Field(
        [64, 128, 256, 256],
        min_length=1,
        max_length=6,
        description="UNet channels per level (the papers' are not stated)",
    )
    layers_per_block: int = Field(2, ge=1, le=4, description="ResNet layers per UNet block (ours)")
    attention_levels: list[int] = Field(
        [2, 3], description="levels (0 = finest) with self-attention (paper: 'self-attention')"
    )
    norm_groups: int = Field(32, ge=1, le=64, description="GroupNorm groups; divides every channel")
    cond_freqs: int = Field(
        16, ge=1, le=128, description="sinusoid frequencies per coordinate (ours)"
    )
    conditioning: Literal["add", "concat"] = Field(
        "add",
        description="how the label reaches the blocks: added to the timestep embedding (ours) or "
        "concatenated with it, one embedding per coordinate (the papers'; "
        "diffusion/conditioning.py)",
    )
    label_dropout: float = Field(
        0.0,
        ge=0,
        lt=1,
        description="fraction of training images whose labels are replaced by the learned 'no "
        "label' embedding (the first author's code: 0.1); sampling always conditions",
    )
    embed_dim: int | None = Field(
        None,
        ge=4,
        le=4096,
        description="width of the embedding of t and the label that every block receives; "
        "None: 4 × the finest level's channels, diffusers' default (with concat each coordinate "
        "gets a quarter of it)",
    )

    @model_validator(mode="after")
    def _consistent(self) -> ModelConfig:
        for c in self.channels:
            if c < 1 or c % self.norm_groups:
                raise ValueError(
                    f"model.channels: each must be a positive multiple of model.norm_groups "
                    f"({self.norm_groups}), got {self.channels}"
                )
        if self.embed_dim is not None and self.embed_dim % 4:
            raise ValueError(f"model.embed_dim: must be a multiple of 4, got {self.embed_dim}")
        bad = [lv for lv in self.attention_levels if not 0 <= lv < len(self.channels)]
        if bad:
            raise ValueError(
                f"model.attention_levels: must be in [0, {len(self.channels) - 1}], got {bad}"
            )
        return self


class DiffusionConfig(_Section):
    timesteps: int = Field(1000, ge=2, le=10000, description="T, DDPM steps (DDPM default)")
    beta_start: float = Field(1e-4, gt=0, lt=1, description="β_1 of the linear schedule (DDPM)")
    beta_end: float = Field(0.02, gt=0, lt=1, description="β_T of the linear schedule (DDPM)")

    @model_validator(mode="after")
    def _ordered(self) -> DiffusionConfig:
        if self.beta_end <= self.beta_start:
            raise ValueError(
                f"diffusion.beta_end: must be > beta_start ({self.beta_start}), got {self.beta_end}"
            )
        return self


class TrainConfig(_Section):
    steps: int = Field(20000, ge=1, le=10_000_000, description="optimizer steps (ours)")
    batch_size: int = Field(64, ge=1, le=65536, description="images per step (ours)")
    lr: float = Field(5e-4, gt=0, le=1.0, description="AdamW learning rate (ours)")
    weight_decay: float = Field(0.0, ge=0, le=1.0, description="AdamW weight decay (ours)")
    ema: float = Field(0.0, ge=0, lt=1.0, description="EMA decay of the weights; 0 = no EMA (ours)")
    device: Literal["auto", "cpu", "cuda"] = Field("auto", description="auto = cuda if available")
    bf16: bool = Field(True, description="bf16 autocast on CUDA (ignored on CPU)")
    cpu_precision: Literal["fp32", "auto", "bf16"] = Field(
        "fp32",
        description="the network's arithmetic on the CPU: bf16 autocast (refused on a CPU "
        "without bf16 units), auto (bf16 only where it has them; config.yaml records what it "
        "resolved to) or fp32 (ours; bf16 not yet validated against fp32: benchmarks/README.md)",
    )
    threads: int = Field(
        0,
        ge=0,
        le=256,
        description="torch CPU threads; 0 = the cores not busy with other work (ours; measured, "
        "benchmarks/cpu-2core-threads.json)",
    )
    overlap: bool = Field(
        False,
        description="on the CPU, train in a second process on half the threads while this one "
        "evaluates and probes each checkpoint as it is saved (ours; benchmarks/README.md)",
    )
    checkpoints: int = Field(
        16, ge=1, le=1000, description="checkpoints kept along training, log-spaced (ours)"
    )
    first_checkpoint: int = Field(
        10, ge=1, description="first non-zero checkpoint step; step 0 is always kept (ours)"
    )


class SampleConfig(_Section):
    # The papers' sampler, ancestral DDPM with T steps, by default; a preset may evaluate with a
    # cheaper one only after the sampler rule shows it equivalent (docs/science.md, "Sampler").
    sampler: SamplerName = Field(
        "ddpm", description="evaluation sampler; the papers use ddpm with T steps"
    )
    steps: int | None = Field(
        None, ge=1, le=10000, description="sampler steps, at most diffusion.timesteps (None: T)"
    )
    draws: int = Field(2, ge=1, le=1024, description="samples per lattice condition (ours)")
    max_conditions: int = Field(
        256, ge=1, le=100000, description="evaluate at most this many lattice conditions (ours)"
    )
    clip: bool = Field(
        True,
        description="clip the predicted x̂₀ to [-1, 1] at every step (diffusers' default; "
        "ours, measured: see results/)",
    )
    batch_size: int = Field(512, ge=1, le=65536, description="images per network call")
    seed: int = Field(
        1234, ge=0, description="seed of the evaluation noise, fixed across checkpoints"
    )


class EvalConfig(_Section):
    """How generated images are classified (evaluate.py, detect.py)."""

    rule: Literal["prominence", "threshold"] = Field(
        "prominence", description="bumps by prominence, or the threshold rule (ours)"
    )
    tolerance: float = Field(1.0, gt=0, description="max centre error per axis, pixels (ours)")
    tolerance_x: float | None = Field(
        None,
        gt=0,
        description="max centre error along x, pixels, where it differs from eval.tolerance "
        "(a dense x lattice, dx = 0.1, read finer than 1 px); None = the same (ours)",
    )
    off_lattice: int = Field(
        32,
        ge=0,
        le=4096,
        description="conditions off the training lattice that `bumpdiff "
        "dynamics` evaluates: midpoints first, then random points inside its hull (ours)",
    )
    prominence: float = Field(
        0.25,
        gt=0,
        lt=1,
        description="a bump stands out this much from its local floor and from the saddle to a "
        "higher peak, units of the training amplitude (ours; measured, see results/)",
    )
    window: int | None = Field(
        None, ge=3, le=255, description="local-floor window side, pixels; None = 2·ceil(2.5σ)+1"
    )
    raised_level: float = Field(
        0.25, ge=0, le=1, description="a median above this is a raised background (ours)"
    )
    threshold: float = Field(
        0.5, gt=0, lt=1, description="threshold rule: level above the background (ours)"
    )
    detector: Literal["gauss_fit", "centroid"] = Field(
        "gauss_fit", description="threshold rule: centre by log-parabola fit or centroid"
    )
    background: Literal["median", "zero"] = Field(
        "median", description="threshold rule: level above each image's median, or above 0"
    )


SAMPLER_NAMES: tuple[str, ...] = get_args(SamplerName)  # the keys of diffusion.SCHEDULERS
PRECISIONS: tuple[str, ...] = ("fp32", "bf16")
NOISES: tuple[str, ...] = ("own", "brownian")  # brownian: DDPM-T's path (diffusion/brownian.py)
STRIDED_DDPM: tuple[str, ...] = ("ddpm", "ddpm_trailing")  # ancestral DDPM, its two spacings
ON_PATH: tuple[str, ...] = (*STRIDED_DDPM, "dpmpp_sde", "euler_a", "sa_solver")  # drawing noise
CLIPS: dict[str, bool | None] = {"": None, "clip": True, "noclip": False}  # "": sample.clip
# the samplers that can clip x̂₀ to [-1, 1] on the way (diffusion/schedule.make_scheduler); Euler
# ancestral steps on the σ scale with no x̂₀ to clip, so it never clips
CLIPPING: tuple[str, ...] = (*STRIDED_DDPM, "ddim", "dpmpp", "dpmpp_sde", "sa_solver")


def probe_point_names(levels: int) -> list[str]:
    """Names of the UNet's probe points for ``levels`` levels (model.ConditionalUNet.probe_points):
    down0 … down{L-1}, mid, up0 … up{L-1}, and the alias layer4 (the last down block)."""
    return [
        *(f"down{i}" for i in range(levels)),
        "mid",
        *(f"up{i}" for i in range(levels)),
        "layer4",
    ]


def parse_candidate(text: str) -> tuple[str, int | None, str, str, bool | None]:
    """A sampler candidate "NAME[:STEPS[:PRECISION[:NOISE[:CLIP]]]]", e.g. "ddim:50",
    "ddpm:100:bf16", "ddpm:100:fp32:brownian" or "ddim:50:fp32:own:noclip", as (name, steps or
    None = T, precision, noise, clip: True, False or None = the run's ``sample.clip``);
    ValueError naming what is allowed."""
    name, _, rest = text.partition(":")
    steps, _, rest = rest.partition(":")
    precision, _, rest = rest.partition(":")
    noise, _, clip = rest.partition(":")
    if name not in SAMPLER_NAMES:
        raise ValueError(f"NAME must be one of {', '.join(SAMPLER_NAMES)}, got {text!r}")
    if steps and (not steps.isdigit() or int(steps) < 1):
        raise ValueError(f"STEPS in NAME:STEPS must be an integer >= 1, got {text!r}")
    precision = precision or "fp32"
    if precision not in PRECISIONS:
        raise ValueError(f"PRECISION must be one of {', '.join(PRECISIONS)}, got {text!r}")
    noise = noise or "own"
    if noise not in NOISES or (noise == "brownian" and name not in ON_PATH):
        raise ValueError(
            f"NOISE must be one of {', '.join(NOISES)} (brownian: {', '.join(ON_PATH)}), "
            f"got {text!r}"
        )
    if clip not in CLIPS or (CLIPS[clip] and name not in CLIPPING):
        raise ValueError(
            f"CLIP must be one of {', '.join(c for c in CLIPS if c)} (clip: "
            f"{', '.join(CLIPPING)}), got {text!r}"
        )
    return name, int(steps) if steps else None, precision, noise, CLIPS[clip]


class SamplersConfig(_Section):
    """The sampler-validation study (experiments/samplers.py); every value is ours."""

    candidates: list[str] = Field(
        [
            "ddpm:100",
            "ddpm:50",
            "ddim:100",
            "ddim:50",
            "ddim:25",
            "ddim:10",
            "dpmpp:20",
            "dpmpp:10",
        ],
        description="samplers compared with DDPM-T, "
        "NAME[:STEPS[:fp32|bf16[:own|brownian[:clip|noclip]]]] (ours)",
    )
    images: int = Field(512, ge=1, le=100000, description="images per sampler, trained ckpt (ours)")
    phase_images: int = Field(
        128, ge=1, le=100000, description="images per sampler on one checkpoint per phase (ours)"
    )
    seed: int = Field(777, ge=0, description="seed of the study's noise, same for every sampler")
    accuracy_tolerance: float = Field(
        0.01, gt=0, lt=1, description="max accuracy difference from DDPM-T, trained ckpt (ours)"
    )
    fraction_tolerance: float = Field(
        0.03, gt=0, lt=1, description="max outcome-fraction difference on phase ckpts (ours)"
    )
    z: float = Field(1.96, gt=0, description="standard errors for the evidence word (ours)")
    source: str | None = Field(
        None, description="an analysed phases run to study; None trains one in <out>/model (ours)"
    )
    steps: list[int] | None = Field(
        None,
        description="checkpoints to study beside the trained one; None = the middle checkpoint "
        "of each phase (ours)",
    )

    @model_validator(mode="after")
    def _candidates_parse(self) -> SamplersConfig:
        for text in self.candidates:
            try:
                parse_candidate(text)
            except ValueError as err:
                raise ValueError(f"samplers.candidates: {err}") from None
        return self


class Config(_Section):
    experiment: ExperimentName = Field("phases", description="what `run` does")
    seed: int = Field(0, ge=0, description="seed of initialisation and training noise")
    data: DataConfig = DataConfig()
    model: ModelConfig = ModelConfig()
    diffusion: DiffusionConfig = DiffusionConfig()
    train: TrainConfig = TrainConfig()
    sample: SampleConfig = SampleConfig()
    eval: EvalConfig = EvalConfig()
    probe: ProbeConfig = ProbeConfig()
    phase: PhaseConfig = PhaseConfig()
    imbalanced: ImbalancedConfig = ImbalancedConfig()
    samplers: SamplersConfig = SamplersConfig()
    percolation: PercolationConfig = PercolationConfig()
    torus: TorusConfig = TorusConfig()
    compose: ComposeConfig = ComposeConfig()
    interpolate: InterpolateConfig = InterpolateConfig()
    efficiency: EfficiencyConfig = EfficiencyConfig()
    calibration: CalibrationConfig = CalibrationConfig()
    probe_draws: ProbeDrawsConfig = ProbeDrawsConfig()
    trajectory: TrajectoryConfig = TrajectoryConfig()
    mechanisms: MechanismsConfig = MechanismsConfig()

    @model_validator(mode="after")
    def _cross_checks(self) -> Config:
        late = [t for t in self.trajectory.t if t >= self.diffusion.timesteps]
        if late:
            raise ValueError(
                f"trajectory.t: must be in [0, {self.diffusion.timesteps - 1}], got {late}"
            )
        if (self.torus.t or 0) >= self.diffusion.timesteps:
            raise ValueError(
                f"torus.t: must be in [1, {self.diffusion.timesteps - 1}], got {self.torus.t}"
            )
        if self.experiment == "torus" and not self.data.periodic:
            raise ValueError(
                "data.periodic: the torus experiment needs a periodic canvas, got false"
            )
        stripes = {"vstripe", "hstripe"} & set(self.data.kinds)
        if stripes and self.model.conditioning != "concat" and not self.model.label_dropout:
            raise ValueError(
                f"model.conditioning: stripes ({', '.join(sorted(stripes))}) have no label on one "
                "axis, which needs a learned 'no label' embedding: set model.conditioning=concat "
                "or model.label_dropout > 0, got add"
            )
        if (self.probe.placement_t or 0) >= self.diffusion.timesteps:
            raise ValueError(
                f"probe.placement_t: must be in [1, {self.diffusion.timesteps - 1}] or null, "
                f"got {self.probe.placement_t}"
            )
        bad = [t for t in self.probe.placement_more_t if not 1 <= t < self.diffusion.timesteps]
        if bad:
            raise ValueError(
                f"probe.placement_more_t: each must be in [1, {self.diffusion.timesteps - 1}], "
                f"got {bad[0]}"
            )
        if self.probe.t >= self.diffusion.timesteps:
            raise ValueError(
                f"probe.t: must be in [0, {self.diffusion.timesteps - 1}], got {self.probe.t}"
            )
        if (self.sample.steps or 0) > self.diffusion.timesteps:
            raise ValueError(
                f"sample.steps: must be in [1, {self.diffusion.timesteps}] (diffusion.timesteps), "
                f"got {self.sample.steps}"
            )
        levels = len(self.model.channels)
        if self.probe.layer not in probe_point_names(levels):
            raise ValueError(
                f"probe.layer: must be one of {', '.join(probe_point_names(levels))}, "
                f"got {self.probe.layer!r}"
            )
        if self.data.size % 2 ** (levels - 1):
            raise ValueError(
                f"data.size: must be divisible by 2^(levels-1) = {2 ** (levels - 1)} for "
                f"{levels} UNet levels, got {self.data.size}"
            )
        return self
