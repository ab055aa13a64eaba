"""Every setting of a bumpdiff run: the sections (``sections.py``: bounds, descriptions saying
which values are the papers' and which are ours) and reading them (``loading.py``: presets,
``--set`` overrides, one-line errors). The fully resolved config is written to ``config.yaml``."""

from bumpdiff.config.common import ConfigError
from bumpdiff.config.data import MAX_DATA_GB, HoldoutConfig, ImageKind
from bumpdiff.config.followup import (
    ComposeConfig,
    EfficiencyConfig,
    InterpolateConfig,
    PercolationConfig,
    TorusConfig,
)
from bumpdiff.config.loading import (
    build_config,
    config_to_yaml,
    load_config,
    parse_overrides,
)
from bumpdiff.config.probing import PhaseConfig, ProbeConfig
from bumpdiff.config.sections import (
    PRECISIONS,
    SAMPLER_NAMES,
    Config,
    DataConfig,
    DiffusionConfig,
    EvalConfig,
    ExperimentName,
    ImbalancedConfig,
    ModelConfig,
    SampleConfig,
    SamplerName,
    SamplersConfig,
    TrainConfig,
    parse_candidate,
    probe_point_names,
)

__all__ = [
    "PRECISIONS",
    "SAMPLER_NAMES",
    "ComposeConfig",
    "Config",
    "ConfigError",
    "DataConfig",
    "DiffusionConfig",
    "HoldoutConfig",
    "ImageKind",
    "MAX_DATA_GB",
    "EfficiencyConfig",
    "EvalConfig",
    "ExperimentName",
    "ImbalancedConfig",
    "InterpolateConfig",
    "ModelConfig",
    "PercolationConfig",
    "PhaseConfig",
    "ProbeConfig",
    "SampleConfig",
    "SamplerName",
    "SamplersConfig",
    "TorusConfig",
    "TrainConfig",
    "build_config",
    "config_to_yaml",
    "load_config",
    "parse_candidate",
    "parse_overrides",
    "probe_point_names",
]
