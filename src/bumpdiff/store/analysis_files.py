"""Analysis files carry integrity like checkpoints: each ``samples/<k>.npz`` and
``probes/<k>.npz`` is recorded by the SHA-256 of its bytes in the metrics row that describes it.

``write_recorded`` commits a file and its row together: the file is written beside its place
first, the row logged, and only then the file moved into place, so a failure at any point leaves
the old file and the old row (or neither) consistent. ``check`` tells a file that matches its row
from one that is missing, corrupt (another digest, or unreadable where an older row has none) or
unrecorded (no row describes it); ``set_aside`` moves every bad file to ``<name>.corrupt`` so that
the resume rule analyses its checkpoint again, and ``read_recorded`` refuses a bad file with one
line saying what ``--resume`` will redo.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel

from bumpdiff.config import ConfigError
from bumpdiff.store import tensorboard
from bumpdiff.store.runfolder import RunFolder, atomic_write_bytes, load_npz

FOLDERS = {"eval": "samples", "probe": "probes"}  # the row's event → the folder of its files
REDO = {"eval": "evaluated", "probe": "probed"}


def path_of(run: RunFolder, part: str, step: int) -> Path:
    return run.samples_path(step) if part == "eval" else run.probe_path(step)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_recorded(run: RunFolder, part: str, step: int, row: BaseModel, **arrays: Any):
    """Write the ``part`` file of ``step`` and log ``row`` with its digest, both or neither
    (module docstring); returns the row as logged."""
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    data = buf.getvalue()
    path = path_of(run, part, step)
    staged = path.with_name(f".{path.name}.{os.getpid()}.staged.tmp")
    atomic_write_bytes(staged, data)
    try:
        row = row.model_copy(update={"file_sha256": digest(data)})
        run.log(row)
        os.replace(staged, path)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    if part == "eval":
        tensorboard.images(run.root, step, arrays["images"])
    return row


def check(run: RunFolder, part: str, step: int, row: BaseModel | None) -> str | None:
    """None when the file matches ``row``; else "missing", "corrupt" or "unrecorded"."""
    path = path_of(run, part, step)
    if not path.is_file():
        return "missing" if row is not None else None
    if row is None:
        return "unrecorded"
    recorded = getattr(row, "file_sha256", None)
    if recorded is not None:
        return None if digest(path.read_bytes()) == recorded else "corrupt"
    try:  # a row made before digests were kept: the file must at least read whole
        load_npz(path)
    except ConfigError:
        return "corrupt"
    return None


def _steps_on_disk(run: RunFolder, part: str) -> set[int]:
    folder = run.root / FOLDERS[part]
    names = folder.glob("*.npz") if folder.is_dir() else []
    return {int(p.stem) for p in names if p.stem.isdigit()}


def bad_files(run: RunFolder) -> list[tuple[str, int, Path, str]]:
    """(part, step, path, why) of every analysis file on disk that does not match its row
    ("corrupt") or that no row describes ("unrecorded"); a row whose file is missing is left to
    the resume rule, which analyses that checkpoint again."""
    out = []
    for part in FOLDERS:
        rows = run.latest_by_step(part)
        for step in sorted(_steps_on_disk(run, part) | set(rows)):
            why = check(run, part, step, rows.get(step))
            if why is not None and why != "missing":
                out.append((part, step, path_of(run, part, step), why))
    return out


def _with_nested(run: RunFolder) -> list[RunFolder]:
    """``run`` and every run folder nested in it (each with its own metrics.jsonl)."""
    return [run, *(RunFolder(p.parent) for p in run.root.rglob("*/metrics.jsonl"))]


def set_aside(run: RunFolder, log: Callable[[str], None] | None = None) -> list[Path]:
    """Move every bad analysis file of ``run`` and of the runs nested in it to
    ``<name>.corrupt`` (one line each); their checkpoints are then pending again."""
    moved = []
    for folder in _with_nested(run):
        for part, step, path, why in bad_files(folder):
            target = path.with_name(path.name + ".corrupt")
            os.replace(path, target)
            moved.append(target)
            if log:
                log(f"{path}: {why}; set aside as {target.name}, step {step} will be "
                    f"{REDO[part]} again")  # fmt: skip
    return moved


def read_recorded(run: RunFolder, part: str, step: int) -> dict[str, np.ndarray]:
    """The arrays of a checked analysis file; ConfigError naming it when it does not match."""
    why = check(run, part, step, run.latest_by_step(part).get(step))
    path = path_of(run, part, step)
    if why == "missing" or (why is None and not path.is_file()):
        raise ConfigError(f"run: file not found: {path}")
    if why is not None:
        raise ConfigError(
            f"run: {path} is {why}; resume the run (bumpdiff run CONFIG --out {run.root} "
            f"--resume) to set it aside and have step {step} {REDO[part]} again"
        )
    return load_npz(path)


def describe_bad(run: RunFolder) -> str | None:
    """One line naming the bad analysis files of ``run`` (and its nested runs) and what
    ``--resume`` will redo; None when every file matches its row."""
    found = []
    for folder in _with_nested(run):
        found += [(path, why, part, step) for part, step, path, why in bad_files(folder)]
    if not found:
        return None
    names = ", ".join(f"{p.relative_to(run.root)} ({why})" for p, why, _, _ in found[:6])
    more = f" and {len(found) - 6} more" if len(found) > 6 else ""
    return (
        f"run: {len(found)} analysis file(s) do not match their rows: {names}{more}; "
        f"bumpdiff run CONFIG --out {run.root} --resume sets them aside and analyses those "
        "checkpoints again"
    )
