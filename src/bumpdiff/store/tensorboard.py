"""Live curves in TensorBoard: every row a run logs is mirrored into TensorBoard event files under
``<run>/tensorboard/`` when the ``tensorboard`` extra is installed (``pip install
bumpdiff[tensorboard]``); without it nothing is written and nothing is imported.

Each numeric field of a row becomes a scalar ``<event>/<field>`` at the row's step (training loss,
learning rate, outcome fractions, probe metrics); ``images`` adds a grid of generated images per
checkpoint. Each process writes its own event file (the training and the analysing process of
``train.overlap`` both do), which TensorBoard merges:
``tensorboard --logdir runs/quick/tensorboard``.
"""

from __future__ import annotations

import functools
import importlib.util
import math
import os
from numbers import Real
from pathlib import Path

import numpy as np
from pydantic import BaseModel

_WRITERS: dict[tuple[int, str], object] = {}  # (process, run folder) → its SummaryWriter


@functools.cache
def available() -> bool:
    """Whether the tensorboard package is installed (looked up once per process: every logged
    row asks)."""
    return importlib.util.find_spec("tensorboard") is not None


def _writer(root: Path):
    key = (os.getpid(), str(Path(root).resolve()))
    if key not in _WRITERS:
        from torch.utils.tensorboard import SummaryWriter  # needs the tensorboard package

        _WRITERS[key] = SummaryWriter(log_dir=str(Path(root) / "tensorboard"), flush_secs=5)
    return _WRITERS[key]


def mirror(root: Path, row: BaseModel) -> None:
    """The row's numeric fields as scalars ``<event>/<field>`` at its step (no-op without
    tensorboard, or for a row without a step)."""
    step = getattr(row, "step", None)
    if step is None or not available():
        return
    writer = _writer(root)
    event = getattr(row, "event", type(row).__name__)
    for name, value in row.model_dump(mode="python").items():
        if name != "step" and isinstance(value, Real) and not isinstance(value, bool):
            if math.isfinite(value):
                writer.add_scalar(f"{event}/{name}", float(value), int(step))
    writer.flush()


def grid(batch: np.ndarray, per_row: int = 8) -> np.ndarray:
    """Images (n, N, N) tiled ``per_row`` to a row, one blank pixel between them, clipped to
    [0, 1] (numpy: torchvision is not a dependency)."""
    n, size = len(batch), batch.shape[-1]
    rows = -(-n // per_row)
    out = np.ones((rows * (size + 1) + 1, per_row * (size + 1) + 1), dtype=np.float32)
    for k, image in enumerate(np.clip(batch, 0, 1)):
        r, c = divmod(k, per_row)
        out[
            1 + r * (size + 1) : (r + 1) * (size + 1), 1 + c * (size + 1) : (c + 1) * (size + 1)
        ] = image
    return out


def images(root: Path, step: int, batch: np.ndarray) -> None:
    """A grid of (up to 64) generated images (n, N, N; bump 1 on 0) at ``step``."""
    if not available() or len(batch) == 0:
        return
    writer = _writer(root)
    writer.add_image("samples", grid(batch[:64]), int(step), dataformats="HW")
    writer.flush()
