"""Checkpoints as safetensors: weights, EMA, optimizer and RNG state, plus the config that rebuilds
the model (in the metadata). No pickled code; written to a temporary name and renamed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, safe_open, save

from bumpdiff import __version__
from bumpdiff.config import Config, ConfigError, build_config
from bumpdiff.model import ConditionalUNet, build_model
from bumpdiff.runfolder import atomic_write_bytes


@dataclass
class TrainState:
    """Everything needed to continue training bit-for-bit from a step."""

    step: int
    model: dict[str, torch.Tensor]
    ema: dict[str, torch.Tensor] | None
    optimizer: dict[str, Any] | None
    rng: torch.Tensor | None  # state of the training generator (uint8)


def _flatten_optimizer(opt_state: dict[str, Any]) -> tuple[dict[str, torch.Tensor], str]:
    tensors: dict[str, torch.Tensor] = {}
    scalars: dict[str, Any] = {}
    for pid, state in opt_state["state"].items():
        for key, value in state.items():
            name = f"optim.{pid}.{key}"
            if torch.is_tensor(value):
                tensors[name] = value.detach().cpu().contiguous()
            else:
                scalars[name] = value
    meta = json.dumps({"param_groups": opt_state["param_groups"], "scalars": scalars})
    return tensors, meta


def _unflatten_optimizer(tensors: dict[str, torch.Tensor], meta: str) -> dict[str, Any]:
    info = json.loads(meta)
    state: dict[int, dict[str, Any]] = {}
    for name, value in list(tensors.items()) + list(info["scalars"].items()):
        _, pid, key = name.split(".", 2)
        state.setdefault(int(pid), {})[key] = value
    return {"state": state, "param_groups": info["param_groups"]}


def save_checkpoint(path: Path, cfg: Config, state: TrainState) -> None:
    """Write one checkpoint atomically (temporary name, then rename)."""
    tensors = {f"model.{k}": v.detach().cpu().contiguous() for k, v in state.model.items()}
    if state.ema is not None:
        tensors.update({f"ema.{k}": v.detach().cpu().contiguous() for k, v in state.ema.items()})
    metadata = {
        "step": str(state.step),
        "config": json.dumps(cfg.model_dump(mode="json")),
        "bumpdiff_version": __version__,
    }
    if state.optimizer is not None:
        opt_tensors, opt_meta = _flatten_optimizer(state.optimizer)
        tensors.update(opt_tensors)
        metadata["optimizer"] = opt_meta
    if state.rng is not None:
        tensors["rng.train"] = state.rng.clone()
    atomic_write_bytes(path, save(tensors, metadata=metadata))


def _read(path: str | Path) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"checkpoint: file not found: {path}")
    try:
        with safe_open(str(path), framework="pt") as fh:
            metadata = fh.metadata() or {}
        tensors = load_file(str(path))
    except (SafetensorError, OSError, ValueError) as err:
        raise ConfigError(
            f"checkpoint: {path} is corrupt or not a safetensors file ({err})"
        ) from None
    if "config" not in metadata or "step" not in metadata:
        raise ConfigError(f"checkpoint: {path} lacks bumpdiff metadata (config, step)")
    return tensors, metadata


def load_train_state(path: str | Path) -> tuple[Config, TrainState]:
    tensors, metadata = _read(path)
    cfg = build_config(json.loads(metadata["config"]))
    groups: dict[str, dict[str, torch.Tensor]] = {"model": {}, "ema": {}, "optim": {}}
    for name, value in tensors.items():
        head, _, rest = name.partition(".")
        if head in groups:
            groups[head][rest if head != "optim" else name] = value
    optimizer = None
    if "optimizer" in metadata:
        optimizer = _unflatten_optimizer(groups["optim"], metadata["optimizer"])
    state = TrainState(
        step=int(metadata["step"]),
        model=groups["model"],
        ema=groups["ema"] or None,
        optimizer=optimizer,
        rng=tensors.get("rng.train"),
    )
    return cfg, state


def load_model(path: str | Path, device: str | torch.device = "cpu", ema: bool = True):
    """Rebuild the network from a checkpoint alone; EMA weights when present and ``ema``.

    Returns (model in eval mode on ``device``, config, step).
    """
    cfg, state = load_train_state(path)
    model: ConditionalUNet = build_model(cfg.model, cfg.data.size)
    weights = state.ema if (ema and state.ema) else state.model
    try:
        model.load_state_dict(weights)
    except RuntimeError as err:
        first = str(err).splitlines()[0]
        raise ConfigError(f"checkpoint: {path} does not match its config ({first})") from None
    return model.to(device).eval(), cfg, state.step
