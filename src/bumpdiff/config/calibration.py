"""Config sections of the phase rule's own studies: its calibration on known-answer clouds and the
untrained network (``calibration``), and how many probe draws it needs on a trained run
(``probe_draws``). Every value is ours."""

from __future__ import annotations

from pydantic import Field, field_validator

from bumpdiff.config.common import _Section


def _increasing(cls, v: list) -> list:
    """A list of distinct values in increasing order."""
    if sorted(set(v)) != list(v):
        raise ValueError("must be distinct values in increasing order")
    return v


def _two_or_more(cls, v: list[int]) -> list[int]:
    """Draws per condition: split-half reliability needs two halves."""
    if any(d < 2 for d in v):
        raise ValueError("must all be >= 2 (split-half reliability needs two halves)")
    return v


class CalibrationConfig(_Section):
    shares: list[float] = Field(
        [0.0, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.3],
        min_length=1,
        description="share of a cloud's variance that is signal, each in [0, 1] (ours)",
    )
    draws: list[int] = Field(
        [8, 16, 32, 64], min_length=1, description="rows per condition of each cloud (ours)"
    )
    seeds: list[int] = Field(
        [0, 1, 2], min_length=1, description="seeds of the clouds and untrained networks (ours)"
    )
    floors: list[float] = Field(
        [0.7, 0.8, 0.9],
        min_length=1,
        description="component-reliability floors (phase.min_component_reliability) tried (ours)",
    )
    features: int = Field(256, ge=8, le=4096, description="features of each cloud (ours)")

    _sorted = field_validator("shares", "draws", "seeds", "floors")(classmethod(_increasing))

    @field_validator("shares", "floors")
    @classmethod
    def _unit(cls, v: list[float]) -> list[float]:
        if any(not 0 <= x <= 1 for x in v):
            raise ValueError("must all be in [0, 1]")
        return v

    _halves = field_validator("draws")(classmethod(_two_or_more))


class ProbeDrawsConfig(_Section):
    source: str = Field("runs/quick", description="a trained run whose checkpoints are probed")
    steps: list[int] = Field(
        [0, 158, 251, 398, 1000], min_length=1, description="checkpoints of the source run"
    )
    draws: list[int] = Field(
        [8, 16, 32, 64], min_length=1, description="probe draws per condition tried (ours)"
    )

    _sorted = field_validator("steps", "draws")(classmethod(_increasing))

    _halves = field_validator("draws")(classmethod(_two_or_more))
