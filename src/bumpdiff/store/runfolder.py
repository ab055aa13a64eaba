"""The run folder (docs/architecture.md, "The run folder"): every path, atomic writes, typed files
(records.py, summaries.py).

Every file is written to a temporary name in the same folder and renamed, so a killed process
leaves either the old file or the new one, never half of one.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ValidationError

from bumpdiff.config import Config, ConfigError, build_config, config_to_yaml
from bumpdiff.config.experiments import declared
from bumpdiff.config.loading import read_tree
from bumpdiff.store import tensorboard
from bumpdiff.store.records import (
    METRICS_ROW,
    PHASE_ENTRIES,
    CouplingSummary,
    PhaseEntry,
    Rescore,
    SamplerStudy,
)
from bumpdiff.store.summaries import SUMMARIES
from bumpdiff.version import __version__

CKPT_RE = re.compile(r"^step-(\d+)\.safetensors$")


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # the writer's PID in the name: a leftover is removed only once its writer is gone
    prefix = f".{path.name}.{os.getpid()}."
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=prefix, suffix=".tmp")
    try:
        os.chmod(tmp, 0o644)  # mkstemp makes the file private; a run's files are ordinary ones
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as err:
        Path(tmp).unlink(missing_ok=True)
        raise _naming(err, path) from None


def _writer(tmp: Path) -> int:
    """The PID in a temporary file's name (``.<name>.<pid>.<random>.tmp``); 0 when it has none
    (no process has PID 0 to send to: the file counts as left by a dead one)."""
    parts = tmp.name.rsplit(".", 3)
    return int(parts[1]) if len(parts) == 4 and parts[1].isdigit() else 0


def _naming(err: BaseException, path: Path) -> BaseException:
    """An OSError that names no file (a full disk: ENOSPC on write) made to name ``path``."""
    if isinstance(err, OSError) and not err.filename:
        return OSError(err.errno, err.strerror or str(err), str(path))
    return err


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode())


@contextmanager
def _locked(folder: Path):
    """An exclusive advisory lock on ``folder`` (flock on its descriptor; where fcntl does not
    exist, as on Windows, no lock: one process per run folder there)."""
    try:
        import fcntl  # POSIX only
    except ImportError:
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def save_npz(path: Path, **arrays: Any) -> None:
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    atomic_write_bytes(path, buf.getvalue())


def load_npz(path: Path) -> dict[str, np.ndarray]:
    """Every array of an .npz file; ConfigError naming the file when it is missing or corrupt."""
    if not path.is_file():
        raise ConfigError(f"run: file not found: {path}")
    try:
        with np.load(path, allow_pickle=False) as data:
            return {k: data[k] for k in data.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as err:
        raise ConfigError(f"run: {path} is corrupt ({err.__class__.__name__})") from None


class _At:
    """A fixed file or folder of the run folder, read as an attribute: ``run.phases_path``."""

    def __init__(self, name: str):
        self.name = name

    def __get__(self, run: RunFolder | None, owner: type) -> Path:
        return self if run is None else run.root / self.name


class RunFolder:
    """Every path of one run folder, and reading and writing its typed files (records.py)."""

    config_path = _At("config.yaml")
    metrics_path = _At("metrics.jsonl")
    checkpoints_dir = _At("checkpoints")
    figures_dir = _At("figures")
    report_path = _At("report.html")
    phases_path = _At("phases.json")  # records.PhaseEntry per checkpoint
    coupling_path = _At("coupling.json")  # records.CouplingSummary
    samplers_path = _At("samplers.json")  # records.SamplerStudy
    rescore_path = _At("rescore.json")  # records.Rescore
    dynamics_path = _At("dynamics.json")  # summaries.DynamicsSummary (bumpdiff dynamics)
    mechanisms_path = _At("mechanisms.html")  # its page

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.torn_line: int | None = None  # set by read_metrics when the last line is cut

    def figure_path(self, name: str) -> Path:
        """figures/<name>.png"""
        return self.figures_dir / f"{name}.png"

    def subrun(self, name: str) -> RunFolder:
        """A run folder nested in this one (one per variant and seed, or the trained model)."""
        return RunFolder(self.root / name)

    def checkpoint_path(self, step: int) -> Path:
        return self.checkpoints_dir / f"step-{step}.safetensors"

    def samples_path(self, step: int) -> Path:
        return self.root / "samples" / f"{step}.npz"

    def free_samples_path(self, step: int) -> Path:
        """samples/<step>-1.npz if free, else -2, -3 …: never the evaluation's samples/<step>.npz
        (whose row records it)."""
        path = self.samples_path(step)
        k, candidate = 1, path.with_name(f"{path.stem}-1{path.suffix}")
        while candidate.exists():
            k += 1
            candidate = path.with_name(f"{path.stem}-{k}{path.suffix}")
        return candidate

    def probe_path(self, step: int) -> Path:
        return self.root / "probes" / f"{step}.npz"

    def sample_steps(self) -> list[int]:
        """Steps with evaluation samples (samples/<k>.npz; not the -1, -2 … of ``sample``)."""
        folder = self.root / "samples"
        if not folder.is_dir():
            return []
        return sorted(int(p.stem) for p in folder.glob("*.npz") if p.stem.isdigit())

    # config: config.yaml is the one source of a run's settings --------------------------------
    def write_config(self, cfg: Config) -> None:
        extra = {"bumpdiff_version": __version__}
        atomic_write_text(self.config_path, config_to_yaml(cfg, extra))

    def exists(self) -> bool:
        return self.config_path.is_file()

    def read_config(self, overrides: list[str] | None = None) -> Config:
        """The run's resolved config, with dotted ``overrides`` applied in memory (not written)."""
        if not self.config_path.is_file():
            raise ConfigError(f"run: {self.root} is not a bumpdiff run folder (no config.yaml)")
        tree = read_tree(self.config_path, "run")
        tree.pop("bumpdiff_version", None)
        return build_config(tree, overrides)

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
            raise ConfigError(f"step: must be one of {steps}, got {step}")
        return step

    # metrics.jsonl ---------------------------------------------------------------------------
    def log(self, row: BaseModel) -> None:
        """Append one typed row (records.MetricsRow) to metrics.jsonl (a single write of strict
        JSON); a torn last line left by a crash is cut first, so no row is glued onto it. The
        check and the write hold an exclusive lock on the folder, so a line another process is
        writing is never taken for a torn one (analysis/while_training.py)."""
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.metrics_path
        with _locked(self.root):  # a training process and an analysing one may share the file
            if path.is_file() and path.stat().st_size:
                with open(path, "rb") as fh:
                    fh.seek(-1, os.SEEK_END)
                    torn = fh.read(1) != b"\n"
                if torn:
                    data = path.read_bytes()
                    atomic_write_bytes(path, data[: data.rfind(b"\n") + 1])
            try:
                with open(path, "a") as fh:
                    fh.write(to_json(row.model_dump(mode="python")) + "\n")
            except OSError as err:
                raise _naming(err, path) from None
        tensorboard.mirror(self.root, row)  # live curves, where the extra is installed

    def remove_orphans(self) -> list[Path]:
        """Delete the temporary files of writes that a kill interrupted
        (``.<name>.<pid>.*.tmp`` of a process no longer running; older names without a PID)."""
        from bumpdiff.store.lock import alive

        found = sorted(self.root.rglob(".*.tmp")) if self.root.is_dir() else []
        orphans = [p for p in found if not alive(_writer(p))]
        for path in orphans:
            path.unlink(missing_ok=True)
        return orphans

    def repair_metrics(self, after_step: int, log=None, restart: bool = False) -> float:
        """Before resuming from checkpoint ``after_step``: drop a torn last line and the
        training rows of steps after it (work the stop lost, redone now), so no row appears
        twice; with ``restart`` (no checkpoint to resume from) the start row too. Returns the
        training seconds logged up to that step (the clock continues)."""
        if not self.metrics_path.is_file():
            return 0.0
        lines = self.metrics_path.read_text().splitlines()
        kept, seconds, dropped = [], 0.0, 0
        for number, line in enumerate(lines, 1):
            try:
                raw = json.loads(line)
            except json.JSONDecodeError:
                if number < len(lines):
                    raise ConfigError(
                        f"run: {self.metrics_path} line {number} is not JSON"
                    ) from None
                if log:
                    log(f"warning: {self.metrics_path} line {number} was cut by a crash; removed")
                continue
            lost = raw.get("event") in ("train", "checkpoint", "interrupted")
            if (lost and raw["step"] > after_step) or (restart and raw.get("event") == "start"):
                dropped += 1
                continue
            if raw.get("event") == "train":
                seconds = raw["seconds"]
            kept.append(line + "\n")
        if dropped and log:
            log(f"{self.metrics_path}: {dropped} rows after step {after_step} removed (redone now)")
        atomic_write_text(self.metrics_path, "".join(kept))
        return seconds

    def read_metrics(self, event: str | None = None) -> list[BaseModel]:
        """Every row of metrics.jsonl (of ``event`` only, if given) as its records model."""
        if not self.metrics_path.is_file():
            return []
        rows = []
        text = self.metrics_path.read_text()
        lines = text.splitlines()
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
            except json.JSONDecodeError:
                if not text.endswith("\n") and number == len(lines):
                    self.torn_line = number  # cut by a crash; reported, repaired on resume
                    continue
                raise ConfigError(f"run: {self.metrics_path} line {number} is not JSON") from None
            if event is not None and raw.get("event") != event:
                continue
            try:
                rows.append(METRICS_ROW.validate_python(raw))
            except ValidationError as err:
                first = err.errors()[0]
                where = ".".join(str(p) for p in first["loc"])
                raise ConfigError(
                    f"run: {self.metrics_path} line {number}: {where}: {first['msg']}"
                ) from None
        return rows

    def latest_by_step(self, event: str) -> dict[int, BaseModel]:
        """The last row of ``event`` for each step (a re-run stage overrides an earlier one)."""
        return {row.step: row for row in self.read_metrics(event)}

    # summaries -------------------------------------------------------------------------------
    def write_phases(self, entries: list[PhaseEntry]) -> None:
        write_json(self.phases_path, [_without_empty_trajectory(e) for e in entries])

    def read_phases(self) -> list[PhaseEntry]:
        if not self.phases_path.is_file():
            raise ConfigError(f"run: no phases.json in {self.root} (run the phases analysis first)")
        return PHASE_ENTRIES.validate_python(json.loads(self.phases_path.read_text()))

    def write_coupling(self, summary: CouplingSummary) -> None:
        write_json(self.coupling_path, summary.model_dump(mode="python"))

    def read_coupling(self) -> CouplingSummary | None:
        if not self.coupling_path.is_file():
            return None
        return CouplingSummary.model_validate(json.loads(self.coupling_path.read_text()))

    def write_rescore(self, rescore: Rescore) -> None:
        write_json(self.rescore_path, rescore.model_dump(mode="python"))

    def write_samplers(self, study: SamplerStudy) -> None:
        write_json(self.samplers_path, study.model_dump(mode="python"))

    def summary_path(self, experiment: str) -> Path:
        """The summary file ``experiment`` is declared to write (config/experiments.py)."""
        return self.root / declared(experiment).summary

    def write_summary(self, experiment: str, data: dict) -> Path:
        """A follow-up study's summary, validated against its typed record (store/summaries.py)
        and written as strict JSON; returns its path. A field the data leave out stays out (a
        summary of an older shape keeps it, its defaults are for reading)."""
        record = SUMMARIES[experiment].model_validate(data)
        path = self.summary_path(experiment)
        write_json(path, record.model_dump(mode="python", by_alias=True, exclude_unset=True))
        return path

    def read_summary(self, experiment: str) -> BaseModel | None:
        """A follow-up study's summary as its typed record; None when there is none yet."""
        path = self.summary_path(experiment)
        if not path.is_file():
            return None
        return SUMMARIES[experiment].model_validate(json.loads(path.read_text()))

    def read_samplers(self) -> SamplerStudy | None:
        if not self.samplers_path.is_file():
            return None
        return SamplerStudy.model_validate(json.loads(self.samplers_path.read_text()))


def _without_empty_trajectory(entry: PhaseEntry) -> dict:
    """A phases.json entry; runs without the trajectory probe keep the file's older shape."""
    if entry.trajectory:
        return entry.model_dump(mode="python")
    empty = {"trajectory", "trajectory_phase", "decided_t_generated", "decided_t_condition"}
    return entry.model_dump(mode="python", exclude=empty)


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def _strict(obj: Any) -> Any:
    """``obj`` with every non-finite float as None: strict JSON has no NaN or Infinity."""
    if isinstance(obj, dict):
        return {k: _strict(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_strict(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _strict(obj.tolist())
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def to_json(obj: Any, indent: int | None = None) -> str:
    """Strict JSON (non-finite floats as null); records read them back as NaN."""
    return json.dumps(_strict(obj), indent=indent, allow_nan=False, default=_json_default)


def write_json(path: Path, obj: Any) -> None:
    atomic_write_text(path, to_json(obj, indent=2) + "\n")
