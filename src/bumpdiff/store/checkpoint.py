"""Checkpoints as safetensors: weights, EMA, optimizer and RNG state, plus the config that rebuilds
the model (in the metadata). No pickled code; written to a temporary name and renamed.

Integrity: the metadata carries a SHA-256 of every tensor (name, dtype, shape and bytes, in name
order) and of the config, both checked on every load, so a flipped byte or a truncated file is
refused with a message naming the file, and two checkpoints compare equal by content
(``content_digest``) whatever the order of their metadata. Weights that are not finite (a
diverged run) are refused for evaluation and probing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, safe_open, save

from bumpdiff.config import Config, ConfigError, build_config
from bumpdiff.diffusion.network import ConditionalUNet, build_model
from bumpdiff.store.runfolder import atomic_write_bytes
from bumpdiff.version import __version__


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


def tensors_digest(tensors: dict[str, torch.Tensor]) -> str:
    """SHA-256 over every tensor's name, dtype, shape and bytes, in name order."""
    h = hashlib.sha256()
    for name in sorted(tensors):
        t = tensors[name].detach().cpu().contiguous()
        h.update(f"{name}|{t.dtype}|{tuple(t.shape)}|".encode())
        h.update(t.reshape(-1).view(torch.uint8).numpy().tobytes())
    return h.hexdigest()


def _config_digest(config_json: str) -> str:
    return hashlib.sha256(config_json.encode()).hexdigest()


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
    metadata["tensors_sha256"] = tensors_digest(tensors)
    metadata["config_sha256"] = _config_digest(metadata["config"])
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
    # Checkpoints written before checksums existed carry none; they load as they are.
    if "tensors_sha256" in metadata and tensors_digest(tensors) != metadata["tensors_sha256"]:
        raise ConfigError(
            f"checkpoint: {path} is corrupt (its tensors do not match their checksum)"
        )
    if "config_sha256" in metadata and (
        _config_digest(metadata["config"]) != metadata["config_sha256"]
    ):
        raise ConfigError(f"checkpoint: {path} is corrupt (its config does not match its checksum)")
    return tensors, metadata


def content_digest(path: str | Path) -> str:
    """The checksum of a checkpoint's tensors, recomputed: equal for equal content."""
    tensors, _ = _read(path)
    return tensors_digest(tensors)


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
    bad = [k for k, v in weights.items() if v.is_floating_point() and not torch.isfinite(v).all()]
    if bad:
        raise ConfigError(
            f"checkpoint: {path} holds non-finite weights ({len(bad)} tensors, e.g. {bad[0]}): "
            "training diverged at or before this step"
        )
    try:
        model.load_state_dict(weights)
    except RuntimeError as err:
        first = str(err).splitlines()[0]
        raise ConfigError(f"checkpoint: {path} does not match its config ({first})") from None
    return model.to(device).eval(), cfg, state.step
