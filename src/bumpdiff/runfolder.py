"""The run folder (DESIGN.md, "Run folder"): paths, atomic writes, metrics.jsonl, config.yaml.

Every file is written to a temporary name in the same folder and renamed, so a killed process
leaves either the old file or the new one, never half of one.
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from bumpdiff import __version__
from bumpdiff.config import Config, ConfigError, build_config, config_to_yaml

CKPT_RE = re.compile(r"^step-(\d+)\.safetensors$")


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode())


def save_npz(path: Path, **arrays: Any) -> None:
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    atomic_write_bytes(path, buf.getvalue())


def load_npz(path: Path) -> dict[str, np.ndarray]:
    if not path.is_file():
        raise ConfigError(f"file not found: {path}")
    with np.load(path, allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


class RunFolder:
    """Paths and small I/O helpers of one run folder."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    # paths -----------------------------------------------------------------------------------
    @property
    def config_path(self) -> Path:
        return self.root / "config.yaml"

    @property
    def metrics_path(self) -> Path:
        return self.root / "metrics.jsonl"

    @property
    def checkpoints_dir(self) -> Path:
        return self.root / "checkpoints"

    @property
    def figures_dir(self) -> Path:
        return self.root / "figures"

    def checkpoint_path(self, step: int) -> Path:
        return self.checkpoints_dir / f"step-{step}.safetensors"

    def samples_path(self, step: int) -> Path:
        return self.root / "samples" / f"{step}.npz"

    def probe_path(self, step: int) -> Path:
        return self.root / "probes" / f"{step}.npz"

    # config ----------------------------------------------------------------------------------
    def write_config(self, cfg: Config) -> None:
        extra = {"bumpdiff_version": __version__}
        atomic_write_text(self.config_path, config_to_yaml(cfg, extra))

    def read_config(self) -> Config:
        if not self.config_path.is_file():
            raise ConfigError(f"run: no config.yaml in {self.root} (not a bumpdiff run folder?)")
        tree = yaml.safe_load(self.config_path.read_text()) or {}
        tree.pop("bumpdiff_version", None)
        return build_config(tree)

    # checkpoints -----------------------------------------------------------------------------
    def checkpoint_steps(self) -> list[int]:
        if not self.checkpoints_dir.is_dir():
            return []
        steps = []
        for p in self.checkpoints_dir.iterdir():
            match = CKPT_RE.match(p.name)
            if match:
                steps.append(int(match.group(1)))
        return sorted(steps)

    def require_checkpoint(self, step: int | None) -> int:
        """The step asked for (or the latest when None); ConfigError naming what exists."""
        steps = self.checkpoint_steps()
        if not steps:
            raise ConfigError(f"run: no checkpoints in {self.checkpoints_dir}")
        if step is None:
            return steps[-1]
        if step not in steps:
            raise ConfigError(f"--step: must be one of {steps}, got {step}")
        return step

    # metrics ---------------------------------------------------------------------------------
    def log(self, event: str, **fields: Any) -> None:
        """Append one JSON object to metrics.jsonl (a single write of one line)."""
        self.root.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"event": event, **fields}, default=_json_default) + "\n"
        with open(self.metrics_path, "a") as fh:
            fh.write(line)

    def read_metrics(self, event: str | None = None) -> list[dict[str, Any]]:
        if not self.metrics_path.is_file():
            return []
        rows = []
        for line in self.metrics_path.read_text().splitlines():
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut by a crash; the others still count
            if event is None or row.get("event") == event:
                rows.append(row)
        return rows

    def latest_by_step(self, event: str) -> dict[int, dict[str, Any]]:
        """The last row of ``event`` for each step (a re-run stage overrides an earlier one)."""
        return {int(r["step"]): r for r in self.read_metrics(event)}


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def write_json(path: Path, obj: Any) -> None:
    atomic_write_text(path, json.dumps(obj, indent=2, default=_json_default) + "\n")
