"""Config validation: every bounded field refuses out-of-range values with one line naming it."""

import typing

import pytest
from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel

from bumpdiff.config import (
    Config,
    ConfigError,
    build_config,
    parse_candidate,
)


def _bounded_fields(model: type[BaseModel], prefix: str = ""):
    """(dotted name, a value just outside each bound) for every numeric field with bounds."""
    for name, field in model.model_fields.items():
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            yield from _bounded_fields(ann, f"{prefix}{name}.")
            continue
        for meta in field.metadata:
            is_int = ann is int
            step = 1 if is_int else 1e-9
            if isinstance(meta, Gt):
                yield f"{prefix}{name}", meta.gt
            elif isinstance(meta, Ge):
                yield f"{prefix}{name}", meta.ge - step
            elif isinstance(meta, Lt):
                yield f"{prefix}{name}", meta.lt
            elif isinstance(meta, Le):
                yield f"{prefix}{name}", meta.le + (step if is_int else 1.0)


BOUNDED = list(_bounded_fields(Config))


def test_there_are_bounded_fields_to_check():
    assert len(BOUNDED) > 30


@pytest.mark.parametrize(("key", "value"), BOUNDED, ids=[f"{k}={v}" for k, v in BOUNDED])
def test_out_of_range_value_is_refused_naming_the_field(key, value):
    with pytest.raises(ConfigError) as err:
        build_config({}, [f"{key}={value}"])
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith(key), message
    assert "got" in message


@pytest.mark.parametrize("name", typing.get_args(Config.model_fields["experiment"].annotation))
def test_each_literal_value_is_accepted(name):
    needs = {"torus": ["data.periodic=true"]}  # a torus needs a periodic canvas
    assert build_config({}, [f"experiment={name}", *needs.get(name, [])]).experiment == name


def test_literal_field_lists_the_allowed_values():
    with pytest.raises(ConfigError, match=r"sample.sampler: .*'ddpm'.*got 'euler'"):
        build_config({}, ["sample.sampler=euler"])


def test_unknown_field_is_refused():
    with pytest.raises(ConfigError, match="train.learning_rate: unknown field"):
        build_config({}, ["train.learning_rate=1"])


def test_cross_field_checks():
    with pytest.raises(ConfigError, match=r"data.x_range: must satisfy 0 <= lo <= hi <= 11"):
        build_config({}, ["data.size=12", "model.channels=[32]", "data.x_range=[0,12]"])
    with pytest.raises(ConfigError, match="probe.t"):
        build_config({}, ["diffusion.timesteps=100", "probe.placement_t=50"])
    with pytest.raises(ConfigError, match=r"probe.placement_t: must be in \[1, 99\]"):
        build_config({}, ["diffusion.timesteps=100", "probe.t=99"])
    with pytest.raises(
        ConfigError, match=r"data.size: must be divisible by 2\^\(levels-1\) = 8 .*got 12"
    ):
        build_config({}, ["data.size=12"])  # 4 levels by default
    with pytest.raises(ConfigError, match="model.attention_levels"):
        build_config({}, ["model.attention_levels=[5]"])
    with pytest.raises(ConfigError, match="model.channels"):
        build_config({}, ["model.channels=[30,64]"])


def test_every_name_a_config_refers_to_is_checked_at_load():
    """A typo in the probe layer, a sampler or the experiment stops at load (so --dry-run)."""
    with pytest.raises(ConfigError, match=r"probe.layer: must be one of .*layer4, got 'layer9'"):
        build_config({}, ["probe.layer=layer9"])
    assert build_config({}, ["probe.layer=up3"]).probe.layer == "up3"  # 4 levels by default
    with pytest.raises(ConfigError, match="probe.layer"):
        build_config(
            {}, ["model.channels=[32,64]", "model.attention_levels=[1]", "probe.layer=up3"]
        )
    with pytest.raises(ConfigError, match="sample.sampler"):
        build_config({}, ["sample.sampler=euler"])
    with pytest.raises(ConfigError, match="experiment"):
        build_config({}, ["experiment=phase"])
    for bad in [
        "euler:10",
        "ddim:0",
        "ddim:ten",
        "ddpm:100:fp16",
        "ddim:50:fp32:brownian",
        "ddim:50:fp32:own:off",
        "euler_a:20:fp32:own:clip",  # the stochastic higher-order samplers do not clip
        "dpmpp:20:fp32:brownian",  # a deterministic sampler draws no noise to take from a path
    ]:
        with pytest.raises(ConfigError, match="samplers.candidates: .*got"):
            build_config({}, [f"samplers.candidates=['{bad}']"])


@pytest.mark.parametrize(
    ("text", "parsed"),
    [("ddpm", ("ddpm", None, "fp32", "own", None)), ("ddim:50", ("ddim", 50, "fp32", "own", None)),
     ("ddpm:100:bf16", ("ddpm", 100, "bf16", "own", None)),
     ("ddpm:100:fp32:brownian", ("ddpm", 100, "fp32", "brownian", None)),
     ("ddim:50:fp32:own:noclip", ("ddim", 50, "fp32", "own", False)),
     ("ddpm:100:fp32:brownian:clip", ("ddpm", 100, "fp32", "brownian", True)),
     ("dpmpp_sde:50", ("dpmpp_sde", 50, "fp32", "own", None)),
     ("euler_a:100", ("euler_a", 100, "fp32", "own", None)),
     ("sa_solver:50:fp32:brownian", ("sa_solver", 50, "fp32", "brownian", None))],
)  # fmt: skip
def test_sampler_candidates_parse(text, parsed):
    assert parse_candidate(text) == parsed
