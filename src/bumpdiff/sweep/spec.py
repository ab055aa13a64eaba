"""The sweep file (``configs/sweeps/<name>.yaml``) and the members it expands to. Pure.

A sweep names a base preset, the seeds, and either a grid (every combination of the listed
values of some config fields) or a list of variants (each a name and its overrides), or both
(every variant crossed with every grid point). Each member is one variant × grid point × seed,
a full run of the base experiment with those overrides, named so a person can read it:
``<variant>-<field>=<value>…-s<seed>``.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bumpdiff.config import Config, ConfigError, load_config
from bumpdiff.config.experiments import DECLARATIONS
from bumpdiff.config.loading import read_tree


class Variant(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(pattern=r"^[A-Za-z0-9_.=-]+$", description="folder-safe name")
    set: list[str] = Field([], description="overrides, as --set takes them: field=value")


class MoreSeeds(BaseModel):
    """Settings that move the behaviour get more seeds: after the sweep's members finish, every
    group whose mean outcome fraction differs from ``baseline``'s by more than ``threshold`` at
    some checkpoint is run again with ``seeds`` (``aggregate.moved_settings``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    baseline: str = Field(description="the group the others are compared with, e.g. a variant")
    threshold: float = Field(0.15, gt=0, lt=1, description="largest fraction difference allowed")
    seeds: list[int] = Field(min_length=1, description="seeds added to the groups that move it")


class SweepSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    base: str = Field(description="the preset every member starts from, relative to the file")
    seeds: list[int] = Field([0], min_length=1, description="seeds, each member run once per seed")
    grid: dict[str, list[Any]] = Field({}, description="field → values: every combination")
    variants: list[Variant] = Field([], description="named override lists, crossed with the grid")
    retries: int = Field(1, ge=0, le=10, description="attempts after a member's first failure")
    cpus: float = Field(2.0, gt=0, description="CPU cores per member (Ray's num_cpus)")
    gpus: float = Field(0.0, ge=0, description="GPUs per member (Ray's num_gpus)")
    more_seeds: MoreSeeds | None = Field(None, description="more seeds where a factor matters")


@dataclass(frozen=True)
class Member:
    name: str
    overrides: tuple[str, ...]  # --set style, the seed last


def _value_text(value: Any) -> str:
    return str(value).replace(" ", "")


def expand(spec: SweepSpec) -> list[Member]:
    """Every member of the sweep, in a fixed order (variants, then grid points, then seeds)."""
    variants = spec.variants or [Variant(name="base")]
    keys = list(spec.grid)
    points = list(itertools.product(*(spec.grid[k] for k in keys))) if keys else [()]
    members = []
    for variant in variants:
        for point in points:
            sets = [f"{k}={_value_text(v)}" for k, v in zip(keys, point)]
            label = "-".join([variant.name, *(s.replace("[", "").replace("]", "") for s in sets)])
            for seed in spec.seeds:
                name = re.sub(r"[^A-Za-z0-9_.=,-]", "_", f"{label}-s{seed}")
                members.append(Member(name, (*variant.set, *sets, f"seed={seed}")))
    names = [m.name for m in members]
    if len(set(names)) != len(names):
        raise ConfigError("sweep: two members would share a folder; name the variants apart")
    return members


def group_of(member: Member) -> str:
    """The member's setting without its seed (its group in sweep.json and the aggregate)."""
    return member.name.rsplit("-s", 1)[0]


def more_members(spec: SweepSpec, groups: set[str]) -> list[Member]:
    """The members ``spec.more_seeds`` adds to ``groups``: their settings with the extra seeds."""
    if spec.more_seeds is None or not groups:
        return []
    extra = expand(spec.model_copy(update={"seeds": spec.more_seeds.seeds}))
    return [m for m in extra if group_of(m) in groups]


def load_sweep(path: str | Path) -> tuple[SweepSpec, Path, list[Member]]:
    """The sweep file, its base preset's path and its members; every member's config is built
    here, so a bad field stops the sweep before anything runs (one line naming it)."""
    tree = read_tree(path, "sweep")
    try:
        spec = SweepSpec(**tree)
    except ValidationError as err:
        first = err.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"sweep {field}: {first['msg']}") from None
    base = (Path(path).parent / spec.base).resolve()
    if not base.is_file():
        raise ConfigError(f"sweep base: {spec.base} is not a file (relative to {path})")
    members = expand(spec)
    for member in members:
        member_config(base, member)
    return spec, base, members


# Experiments that train several models take their seeds from a list of their own section and
# ignore ``seed``: a sweep's seed is that list's one seed, else every seed of the sweep would
# repeat the same run.
SEED_LISTS = tuple(d.name for d in DECLARATIONS if d.own_seeds)


def member_config(base: Path, member: Member) -> Config:
    """The member's full config: the base preset with its overrides (for an experiment with
    its own seed list, the member's seed is that list)."""
    overrides = list(member.overrides)
    try:
        cfg = load_config(base, overrides)
        if cfg.experiment in SEED_LISTS:
            cfg = load_config(base, [*overrides, f"{cfg.experiment}.seeds=[{cfg.seed}]"])
        return cfg
    except ConfigError as err:
        raise ConfigError(f"sweep member {member.name}: {err}") from None
