"""What every config section shares: unknown fields and changes after loading are errors, and
bad input is a ``ConfigError`` (one line, exit 2 at the CLI)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


def differing_path(a, b, where: str = "") -> str | None:
    """The dotted path of the first field where two JSON trees (dumped configs) differ, nested
    keys included, keys in sorted order; None when equal, "(whole)" when the roots differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            found = differing_path(a.get(key), b.get(key), f"{where}.{key}" if where else key)
            if found:
                return found
        return None
    return None if a == b else (where or "(whole)")


def value_at(tree, path: str):
    """The value at a dotted path of a JSON tree (None where a key is absent)."""
    for key in path.split("."):
        tree = tree.get(key) if isinstance(tree, dict) else None
    return tree


class ConfigError(ValueError):
    """Bad user input (config value, file, condition); the CLI prints it on one line and exits 2."""


class _Section(BaseModel):
    # infinities and NaN are refused in every float field (a lattice spacing of .inf passed
    # --dry-run and failed in training)
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
