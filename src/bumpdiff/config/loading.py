"""Reading a config: YAML presets, dotted ``--set`` overrides, validation into one-line errors,
and the fully resolved YAML written into every run folder."""

from __future__ import annotations

import reprlib
import types
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from bumpdiff.config.common import ConfigError
from bumpdiff.config.sections import Config

# Limits on what a config may hold: a YAML alias bomb (a few lines that expand to 10^9 items)
# is refused by counting the expanded tree, stopping at the limit, before anything builds it.
MAX_FILE_BYTES = 1 << 20
MAX_ITEMS = 100_000
MAX_DEPTH = 32
_SHORT = reprlib.Repr()  # attributes set one by one: Python 3.11 takes no keywords here
_SHORT.maxlist = _SHORT.maxtuple = 6
_SHORT.maxdict, _SHORT.maxstring, _SHORT.maxother, _SHORT.maxlevel = 4, 60, 60, 3


def short(value: Any) -> str:
    """The repr of a value echoed in an error, bounded in length (huge or nested values
    abbreviated without being walked whole)."""
    return _SHORT.repr(value)


def check_size(tree: Any, what: str) -> None:
    """ConfigError when ``tree`` expanded (aliases followed) holds more than MAX_ITEMS values or
    nests deeper than MAX_DEPTH; stops counting at the limit, so a bomb costs nothing."""
    count, stack = 0, [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_ITEMS or depth > MAX_DEPTH:
            raise ConfigError(
                f"{what}: the config is too large or too deeply nested (over {MAX_ITEMS:,} "
                f"values or {MAX_DEPTH} levels once YAML aliases are expanded)"
            )
        if isinstance(node, dict):
            stack += [(v, depth + 1) for v in node.values()]
        elif isinstance(node, (list, tuple)):
            stack += [(v, depth + 1) for v in node]


def _numeric(annotation: Any) -> bool:
    """int or float, alone, in a union with None, or as the items of a list or tuple."""
    if annotation in (int, float):
        return True
    args = [a for a in typing.get_args(annotation) if a not in (type(None), Ellipsis)]
    origin = typing.get_origin(annotation)
    wraps = origin in (list, tuple, typing.Union, types.UnionType)
    return wraps and bool(args) and all(_numeric(a) for a in args)


def refuse_bool_numbers(model: type[BaseModel], tree: Any, prefix: str = "") -> None:
    """ConfigError for a boolean given to a number field (YAML reads yes/no/on/off as booleans,
    which pydantic would turn into 1 and 0: ``train.steps=yes`` trained one step)."""
    if not isinstance(tree, dict):
        return
    for name, value in tree.items():
        field = model.model_fields.get(name)
        if field is None:
            continue
        where, kind = f"{prefix}{name}", field.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            refuse_bool_numbers(kind, value, f"{where}.")
        elif _numeric(kind):
            items = value if isinstance(value, (list, tuple)) else [value]
            if any(isinstance(v, bool) for v in items):
                raise ConfigError(f"{where}: must be a number, not a boolean, got {short(value)}")


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
    return f"{where}: {msg}, got {short(got)}"


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
            raise ConfigError(f"set: expected section.field=value, got {short(item)}")
        try:
            value = yaml.safe_load(raw)
        except yaml.YAMLError:
            raise ConfigError(
                f"{key.strip()}: the value is not valid YAML, got {short(raw)}"
            ) from None
        check_size(value, key.strip())
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
    check_size(merged, "config")
    refuse_bool_numbers(Config, merged)
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
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ConfigError(f"{what}: {path} is larger than {MAX_FILE_BYTES >> 20} MiB")
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
    check_size(tree, what)
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
