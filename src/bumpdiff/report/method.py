"""The Method section of every report, generated from the resolved config and the descriptions of
its fields (config.py), so it cannot drift from what ran: one row per setting with its value and
where it comes from (the papers or ours), as the field's description says."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel

from bumpdiff.config import Config
from bumpdiff.config.experiments import declared


@dataclass(frozen=True)
class Setting:
    """One config field as the Method table shows it."""

    key: str  # dotted, e.g. "train.lr"
    value: str
    description: str
    source: str  # "papers", "ours" or "" (a software setting)


def _source(description: str) -> str:
    text = description.lower()
    if "ours" in text:
        return "ours"
    if "paper" in text or "ddpm" in text:
        return "papers"
    return ""


def _value(value: object) -> str:
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return "null" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def _fields(prefix: str, model: BaseModel) -> list[Setting]:
    rows = []
    for name, info in type(model).model_fields.items():
        description = info.description or ""
        rows.append(
            Setting(
                f"{prefix}{name}", _value(getattr(model, name)), description, _source(description)
            )
        )
    return rows


def method_settings(cfg: Config, sections: Sequence[str] | None = None) -> list[Setting]:
    """Every setting of the sections ``cfg.experiment`` is declared to use (or ``sections``), in
    config order, after the top-level experiment and seed."""
    top = [
        s
        for s in _fields("", cfg)
        if s.key in ("experiment", "seed")  # the top level's other fields are the sections
    ]
    rows = list(top)
    for section in sections or declared(cfg.experiment).method_sections:
        rows.extend(_fields(f"{section}.", getattr(cfg, section)))
    return rows
