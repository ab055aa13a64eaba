"""Analysis of checkpoints: what a checkpoint generates (evaluation) and represents (probe).

docs/architecture.md, "Data flow": each checkpoint's network is loaded once and handed to both;
``evaluate_model`` samples the seeded lattice conditions and classifies every image,
``probe_model`` captures the probe layer over the probe grid and names the phase.
``analyse_checkpoint`` runs them on one checkpoint of a run folder and writes ``samples/<k>.npz``,
``probes/<k>.npz`` and one typed row each to ``metrics.jsonl``; ``sample_checkpoint`` generates at
a user's conditions (``bumpdiff sample``). The latest row of a step is the one that counts.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from bumpdiff.analysis.probing import eval_window, probe_model, probe_signature
from bumpdiff.analysis.trajectory import recorder_for, trajectory_rows, trajectory_signature
from bumpdiff.config import Config
from bumpdiff.data import (
    check_centers_for,
    lattice_from_config,
    subgrid,
    targets_for,
)
from bumpdiff.devices import resolve_device, set_threads
from bumpdiff.diffusion.sampling import SamplerSpec, generate, resolve_sampler
from bumpdiff.probe.behaviour import behaviour_order
from bumpdiff.scoring.outcomes import Classification, classify, classify_threshold, summarize
from bumpdiff.scoring.stripes import classify_stripes
from bumpdiff.store.analysis_files import path_of, write_recorded
from bumpdiff.store.checkpoint import load_model
from bumpdiff.store.records import EvalRow, ProbeRow
from bumpdiff.store.runfolder import RunFolder, save_npz

PARTS = ("eval", "probe")


# what the placement probe keeps at its further timesteps (probe.placement_more_t)
def _tty() -> bool:
    """Progress bars only for a person watching a terminal, never in logs or tests."""
    return sys.stderr.isatty()


def eval_conditions(cfg: Config) -> np.ndarray:
    """The evaluation grid: the lattice points inside the visible frame (all of them unless
    ``data.canvas`` extends it), thinned to ``sample.max_conditions``."""
    points = lattice_from_config(cfg.data)
    lo, hi = cfg.data.offset, cfg.data.offset + cfg.data.size - 1
    visible = ((points >= lo - 1e-9) & (points <= hi + 1e-9)).all(axis=1)
    return subgrid(points[visible], cfg.sample.max_conditions)


def detector_signature(cfg: Config) -> str:
    """The classification settings in one string, written into every eval row: a row made with
    other settings is stale and its checkpoint is evaluated again."""
    e = cfg.eval
    tolerance = f"tolerance {e.tolerance:g}"
    if e.tolerance_x is not None:  # only then: rows made before the field stay current
        tolerance = f"tolerance x {e.tolerance_x:g}, y {e.tolerance:g}"
    if e.rule == "prominence":
        return (
            f"prominence {e.prominence:g}, window {eval_window(cfg)}, raised above "
            f"{e.raised_level:g}, {tolerance}"
        )
    return f"threshold {e.threshold:g} above {e.background}, {e.detector}, {tolerance}"


def axis_tolerance(cfg: Config) -> float | tuple[float, float]:
    """The classification's tolerance: ``eval.tolerance``, or (``eval.tolerance_x``, it)."""
    e = cfg.eval
    return e.tolerance if e.tolerance_x is None else (e.tolerance_x, e.tolerance)


def classify_images(cfg: Config, images: np.ndarray, cond: np.ndarray) -> Classification:
    """``evaluate.classify`` (or the threshold rule) with the run's settings and canvas; each
    image is scored against where the training data put the bump for its label (the label
    itself unless ``data.permute_labels``), in the visible frame's pixels. A run that trains no
    2D bumps is asked for sums of stripes and scored by ``evaluate_stripes``."""
    e = cfg.eval
    cond = targets_for(cfg.data, cfg.seed, cond) - cfg.data.offset
    if "bump" not in cfg.data.kinds:
        return classify_stripes(images, cond, e.tolerance, e.prominence, e.raised_level)
    if e.rule == "threshold":
        tol = axis_tolerance(cfg)
        return classify_threshold(images, cond, tol, e.threshold, e.background, e.detector)
    return classify(
        images,
        cond,
        axis_tolerance(cfg),
        e.prominence,
        eval_window(cfg),
        cfg.data.periodic,
        e.raised_level,
    )


@dataclass
class SampleSet:
    """Generated images with their conditions, classification and the sampler that made them."""

    images: np.ndarray  # (n, N, N) data scale (bump 1 on 0), unclamped
    conditions: np.ndarray  # (n, 2) pixels
    result: Classification
    spec: SamplerSpec
    extra: dict[str, np.ndarray] | None = None  # kept beside them (the trajectory's UMAPs)

    def arrays(self, clip: bool) -> dict[str, np.ndarray]:
        """What samples/<step>.npz holds: the unclamped images, conditions, outcomes, what was
        detected (bump count and positions, the dominant bump's centre, amplitude, width;
        background), the sampler, and what was kept beside them."""
        r = self.result
        detected = {
            "n_bumps": r.n_bumps,
            "background": r.background,
            "amplitude": r.amplitude,
            "width": r.width,
            "positions": r.positions,
        }
        return {
            "images": self.images.astype(np.float32),
            "conditions": self.conditions,
            "outcome": r.outcome,
            "centers": r.centers,
            **{k: v for k, v in detected.items() if v is not None},
            "sampler": np.array(self.spec.name),
            "steps": np.array(self.spec.steps),
            "clip": np.array(clip),
            **(self.extra or {}),
        }

    def save(self, path, clip: bool) -> None:
        """The arrays written to ``path`` (samples a user asked for: no row records them)."""
        save_npz(path, **self.arrays(clip))


def evaluate_model(
    model: torch.nn.Module, cfg: Config, step: int, run: RunFolder | None = None
) -> tuple[EvalRow, SampleSet]:
    """Sample ``sample.draws`` images per evaluation condition with the config's sampler, seeded
    by ``sample.seed`` (the same noise at every checkpoint), and classify them. With ``run`` and
    ``trajectory.t``, the layer is read along these very generations (analysis/trajectory.py)."""
    spec = resolve_sampler(cfg)
    recorder = recorder_for(model, cfg) if run is not None else None
    t0 = time.perf_counter()
    images, cond = generate(
        recorder or model, cfg, eval_conditions(cfg), cfg.sample.draws, cfg.sample.seed, None,
        _tty(),
    )  # fmt: skip
    seconds = time.perf_counter() - t0
    samples = SampleSet(images, cond, classify_images(cfg, images, cond), spec)
    row = eval_row(cfg, step, samples, seconds, cfg.sample.clip)
    if recorder is not None:
        t0 = time.perf_counter()
        found, samples.extra = trajectory_rows(
            model, run, cfg, recorder, cond, samples.result, classify_images
        )
        found |= {"trajectory_seconds": time.perf_counter() - t0}
        row = row.model_copy(update={**found, "trajectory_rule": trajectory_signature(cfg)})
    return row, samples


def eval_row(cfg: Config, step: int, samples: SampleSet, seconds: float, clip: bool) -> EvalRow:
    """The eval row of classified samples: outcome summary, per-axis measures, the order of the
    generated positions (``probe.behaviour``), the sampler and the classification settings."""
    order = behaviour_order(samples.result.centers, samples.conditions, cfg.probe.knn)
    return EvalRow(
        step=step,
        sampler=samples.spec.name,
        sampler_steps=samples.spec.steps,
        seconds=seconds,
        **summarize(samples.result),
        **{f"behaviour_{k}": v for k, v in order.items()},
        detector=detector_signature(cfg),
        clip=clip,
    )


def load_checkpoint_model(run: RunFolder, cfg: Config, step: int) -> torch.nn.Module:
    """The network of checkpoint ``step`` on ``train.device`` (EMA weights where kept)."""
    set_threads(cfg.train.threads)
    model, _, _ = load_model(run.checkpoint_path(step), resolve_device(cfg.train.device))
    return model


def analyse_checkpoint(
    run: RunFolder, cfg: Config, step: int, parts: Sequence[str] = PARTS
) -> dict[str, EvalRow | ProbeRow]:
    """Load checkpoint ``step`` once, then evaluate and/or probe it (``parts``); writes
    samples/<step>.npz and probes/<step>.npz, logs the rows and returns them by part."""
    model = load_checkpoint_model(run, cfg, step)
    rows: dict[str, EvalRow | ProbeRow] = {}
    if "eval" in parts:  # each file and its row committed together (store/analysis_files.py)
        row, samples = evaluate_model(model, cfg, step, run)
        rows["eval"] = write_recorded(run, "eval", step, row, **samples.arrays(cfg.sample.clip))
    if "probe" in parts:
        row, arrays = probe_model(model, cfg, step)
        rows["probe"] = write_recorded(run, "probe", step, row, **arrays)
    return rows


def pending(
    run: RunFolder, cfg: Config, parts: Sequence[str] = PARTS, only: Sequence[int] | None = None
) -> dict[int, list[str]]:
    """The parts (``eval``, ``probe``) each checkpoint still needs, in step order: those without a
    row, or whose eval row was made with other sampling or classification settings, or whose
    probe row with other probe settings or phase thresholds (the resume rule of every
    experiment); ``parts`` limits it to evaluation or probe, ``only`` to some checkpoints."""
    evals, probes = run.latest_by_step("eval"), run.latest_by_step("probe")
    signature, spec = detector_signature(cfg), resolve_sampler(cfg)
    trajectory = trajectory_signature(cfg)
    images = len(eval_conditions(cfg)) * cfg.sample.draws
    done = {
        "eval": {
            k
            for k, r in evals.items()
            if (r.detector, r.clip, r.sampler, r.sampler_steps, r.n, r.trajectory_rule)
            == (signature, cfg.sample.clip, spec.name, spec.steps, images, trajectory)
        },
        "probe": {k for k, r in probes.items() if r.rule == probe_signature(cfg)},
    }
    for part in PARTS:  # a row counts only with its file (a bad one was set aside on resume)
        done[part] = {k for k in done[part] if path_of(run, part, k).is_file()}
    steps = [s for s in run.checkpoint_steps() if only is None or s in only]
    todo = {s: [p for p in PARTS if p in parts and s not in done[p]] for s in steps}
    return {s: t for s, t in todo.items() if t}


def log_analysed(log, rows: dict, run: RunFolder, step: int, where: str) -> None:
    """One progress line for checkpoint ``step`` (``where``: its place, e.g. "[3/17]")."""
    ev = rows.get("eval") or run.latest_by_step("eval").get(step)
    pr = rows.get("probe") or run.latest_by_step("probe").get(step)
    said = [f"phase {pr.phase}"] if pr else []
    if ev:
        said.append(f"accuracy {ev.accuracy:.2f} (multiple {ev.frac_multiple:.2f}, mislocated "
                    f"{ev.frac_mislocated:.2f})")  # fmt: skip
    log(f"{where} step {step}: " + ", ".join(said))


def analyse_pending(
    run: RunFolder,
    cfg: Config,
    log: Callable[[str], None] | None = None,
    parts: Sequence[str] = PARTS,
    only: Sequence[int] | None = None,
) -> list[int]:
    """Evaluate and probe every checkpoint ``pending`` names (an interrupted analysis continues
    where it stopped). Returns the steps analysed."""
    steps, done = run.checkpoint_steps(), []
    for step, todo in pending(run, cfg, parts, only).items():
        rows = analyse_checkpoint(run, cfg, step, todo)
        done.append(step)
        if log:
            log_analysed(log, rows, run, step, f"[{steps.index(step) + 1}/{len(steps)}]")
    return done


def sample_checkpoint(
    run: RunFolder, cfg: Config, step: int, conditions: np.ndarray, n: int, seed: int
) -> tuple[SampleSet, dict, object]:
    """``n`` images at each user-given condition with the config's sampler; writes
    samples/<step>-<k>.npz (the first k free; never the evaluation's <step>.npz). Returns the
    samples, their summary and the path written."""
    conditions = check_centers_for(cfg.data, conditions)
    model = load_checkpoint_model(run, cfg, step)
    images, cond = generate(model, cfg, conditions, n, seed, progress=_tty())
    samples = SampleSet(images, cond, classify_images(cfg, images, cond), resolve_sampler(cfg))
    path = run.free_samples_path(step)
    samples.save(path, cfg.sample.clip)
    return samples, summarize(samples.result), path
