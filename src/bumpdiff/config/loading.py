"""Reading a config: YAML presets, dotted ``--set`` overrides, validation into one-line errors,
and the fully resolved YAML written into every run folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bumpdiff.config.common import ConfigError
from bumpdiff.config.sections import Config


def _error_line(err: ValidationError) -> str:
    """The first validation error as one line: field, what is allowed, and the value given."""
    first = err.errors()[0]
    loc = ".".join(str(p) for p in first["loc"])
    msg = first["msg"].removeprefix("Value error, ")
    head = msg.split(" ", 1)[0]
    if head.endswith(":") and "." in head or head == f"{loc}:":
        return msg  # a validator's own message already names the field and the value
    got = first.get("input")
    where = loc or "config"
    if first["type"] == "extra_forbidden":
        return f"{where}: unknown field"
    return f"{where}: {msg}, got {got!r}"


def _set_dotted(tree: dict[str, Any], key: str, value: Any) -> None:
    node = tree
    parts = key.split(".")
    for part in parts[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise ConfigError(f"{key}: '{part}' is not a section")
        node = child
    node[parts[-1]] = value


def parse_overrides(items: list[str] | None) -> dict[str, Any]:
    """``["train.lr=1e-3", "model.channels=[32,64]"]`` → a nested dict (values read as YAML)."""
    tree: dict[str, Any] = {}
    for item in items or []:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"set: expected section.field=value, got {item!r}")
        try:
            value = yaml.safe_load(raw)
        except yaml.YAMLError:
            raise ConfigError(f"{key.strip()}: the value is not valid YAML, got {raw!r}") from None
        _set_dotted(tree, key.strip(), value)
    return tree


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def build_config(tree: dict[str, Any] | None = None, overrides: list[str] | None = None) -> Config:
    """Validate a config tree plus dotted overrides; ConfigError (one line) on bad input."""
    merged = _merge(tree or {}, parse_overrides(overrides))
    try:
        return Config.model_validate(merged)
    except ValidationError as err:
        raise ConfigError(_error_line(err)) from None


def read_tree(path: str | Path, what: str = "config") -> dict[str, Any]:
    """The mapping in a YAML file; one-line ConfigError naming ``what`` when the file is missing,
    empty, not text, not YAML, or not a mapping of sections."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{what}: file not found: {path}")
    try:
        text = path.read_text()
        tree = yaml.safe_load(text)
    except UnicodeDecodeError:
        raise ConfigError(f"{what}: {path} is not a text file") from None
    except yaml.YAMLError as err:
        raise ConfigError(f"{what}: {path} is not valid YAML ({err.__class__.__name__})") from None
    if tree is None:
        raise ConfigError(
            f"{what}: {path} is empty (name at least the experiment, e.g. experiment: phases)"
        )
    if not isinstance(tree, dict):
        raise ConfigError(f"{what}: {path} must hold a mapping of sections")
    return tree


def load_config(path: str | Path, overrides: list[str] | None = None) -> Config:
    """Read a YAML preset, apply ``--set`` overrides, validate."""
    return build_config(read_tree(path), overrides)


def config_to_yaml(cfg: Config, extra: dict[str, Any] | None = None) -> str:
    """The fully resolved config as YAML, every default written out, plus ``extra`` keys."""
    tree = cfg.model_dump(mode="json")
    if extra:
        tree = {**extra, **tree}
    return yaml.safe_dump(tree, sort_keys=False)
