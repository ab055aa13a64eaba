"""What every config section shares: unknown fields and changes after loading are errors, and
bad input is a ``ConfigError`` (one line, exit 2 at the CLI)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ConfigError(ValueError):
    """Bad user input (config value, file, condition); the CLI prints it on one line and exits 2."""


class _Section(BaseModel):
    # infinities and NaN are refused in every float field (a lattice spacing of .inf passed
    # --dry-run and failed in training)
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
