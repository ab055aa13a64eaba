"""Training loop: whole-batch tensor data, AdamW, optional EMA, log-spaced checkpoints, resume.

The phases of the seed paper happen early in training, so checkpoints are dense early and sparse
late: step 0 (the untrained network), ``train.checkpoints`` log-spaced steps from
``train.first_checkpoint`` to the end, and the final step.

All randomness of training (initialisation, which images, timesteps, noise) comes from generators
seeded by ``seed``; their state is saved in every checkpoint so a resumed run continues bit for
bit (on the CPU).
"""

from __future__ import annotations

import math
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from tqdm.auto import tqdm

from bumpdiff.config import Config, ConfigError
from bumpdiff.data import render_bumps, render_images, to_model_scale, training_set
from bumpdiff.devices import resolve_device, resolve_precision, set_threads
from bumpdiff.diffusion.network import count_parameters, init_model
from bumpdiff.diffusion.schedule import alphas_cumprod, autocast, diffusion_loss, uses_bf16
from bumpdiff.store.checkpoint import TrainState, load_train_state, save_checkpoint
from bumpdiff.store.records import CheckpointRow, InterruptedRow, StartRow, TrainRow
from bumpdiff.store.runfolder import RunFolder
from bumpdiff.training.same_training import check_resume_config
from bumpdiff.training.stops import STOP_SIGNALS, note_stop


def checkpoint_schedule(total: int, count: int, first: int) -> list[int]:
    """Step 0, ``count`` log-spaced steps in [first, total], and ``total``; sorted, unique."""
    first = min(first, total)
    logs = np.geomspace(first, total, num=count) if count > 1 else np.array([total])
    steps = {0, total, *np.round(logs).astype(int).tolist()}
    return sorted(s for s in steps if 0 <= s <= total)


def training_data(cfg: Config, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """All training images (n, 1, N, N) on the scale [-1, 1] and their labels (n, 2), as
    ``data.training_set`` lists them (kinds, held-out regions, kept fraction, permuted labels;
    NaN: no label on that axis)."""
    d = cfg.data
    centres, labels, kinds = training_set(d, cfg.seed)
    if list(d.kinds) == ["bump"] and d.canvas is None:  # also periodic; the original renderer
        images = render_bumps(centres, d.size, d.sigmas, d.periodic)
    else:
        images = render_images(centres, kinds, d.size, d.sigmas, d.canvas)
    x_0 = torch.from_numpy(to_model_scale(images))[:, None].to(device)
    cond = torch.from_numpy(labels.astype(np.float32)).to(device)
    return x_0, cond


class _EMA:
    """θ_ema ← d θ_ema + (1 - d) θ after each step."""

    def __init__(self, model: torch.nn.Module, decay: float, state=None):
        self.decay = decay
        self.params = {k: v.detach().clone() for k, v in model.state_dict().items()}
        if state is not None:
            self.params = {k: v.clone() for k, v in state.items()}

    @torch.no_grad()
    def update(self, model: torch.nn.Module) -> None:
        for k, v in model.state_dict().items():
            if v.dtype.is_floating_point:
                self.params[k].lerp_(v, 1 - self.decay)
            else:
                self.params[k].copy_(v)


def _drop_labels(labels: torch.Tensor, rate: float, gen: torch.Generator) -> torch.Tensor:
    """``labels`` with a fraction ``rate`` of rows (both coordinates) set to NaN, "no label"
    (``model.label_dropout``); drawn from ``gen`` after the batch, and only when ``rate`` > 0, so
    runs without dropout draw exactly what they drew before it existed."""
    if rate <= 0:
        return labels
    drop = torch.rand(labels.shape[0], generator=gen) < rate
    return labels.masked_fill(drop.to(labels.device)[:, None], float("nan"))


def train_step(
    model: torch.nn.Module,
    opt: torch.optim.Optimizer,
    x_0: torch.Tensor,
    cond: torch.Tensor,
    abar: torch.Tensor,
    gen: torch.Generator,
    batch: int,
    bf16: bool = False,
) -> torch.Tensor:
    """One optimizer step on a batch drawn from the whole-batch tensors; returns the loss as a
    0-d tensor on the device (no host sync per step: callers read it when they log).

    Which images, timesteps and noise are drawn from ``gen`` on the CPU (DDPM Algorithm 1, lines
    2-4), so a run is the same on every device and resumes bit for bit.
    """
    device = x_0.device
    idx = torch.randint(x_0.shape[0], (batch,), generator=gen)
    t = torch.randint(abar.shape[0], (batch,), generator=gen)
    eps = torch.randn((batch, *x_0.shape[1:]), generator=gen)
    labels = _drop_labels(cond[idx.to(cond.device)], getattr(model, "label_dropout", 0.0), gen)
    idx, t, eps = idx.to(device), t.to(device), eps.to(device)
    with autocast(device, bf16):
        loss = diffusion_loss(model, x_0[idx], labels, t, eps, abar)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    return loss.detach()


class TrainingDiverged(ConfigError):
    """The loss or the weights stopped being finite: training stops, nothing after the last good
    checkpoint is saved (the CLI prints this on one line and exits 2)."""


class _StopRequests:
    """SIGINT, SIGTERM and SIGHUP during training are remembered and acted on after the current
    step (and its checkpoint, if one is due) has finished, so a stop never cuts a step or a
    write."""

    def __init__(self):
        self.signal: int | None = None
        self._previous: dict[int, object] = {}

    def _handle(self, signum, _frame) -> None:
        self.signal = signum
        note_stop(signum)

    def __enter__(self) -> _StopRequests:
        if threading.current_thread() is threading.main_thread():  # signals: main thread only
            for sig in (signal.SIGINT, *STOP_SIGNALS):
                self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)


def make_optimizer(model: torch.nn.Module, cfg: Config) -> torch.optim.AdamW:
    """AdamW with ``train.lr`` and ``train.weight_decay``, fused (one kernel for every tensor's
    update instead of a Python loop over them; the saving is measured in benchmarks/README.md)."""
    return torch.optim.AdamW(
        model.parameters(), lr=cfg.train.lr, weight_decay=cfg.train.weight_decay, fused=True
    )


class _Trainer:
    """Model, optimizer, training generator and EMA of one run, restored from a checkpoint when
    resuming; ``save`` writes a checkpoint of the current state after checking it is finite."""

    def __init__(self, cfg: Config, run: RunFolder, device: torch.device, resume_from: int | None):
        self.cfg, self.run = cfg, run
        self.model = init_model(cfg).to(device)
        self.opt = make_optimizer(self.model, cfg)
        self.gen = torch.Generator().manual_seed(cfg.seed + 1)  # training draws, on the CPU
        self.ema = _EMA(self.model, cfg.train.ema) if cfg.train.ema > 0 else None
        self.start = self.last_saved = 0
        if resume_from is not None:
            _, state = load_train_state(run.checkpoint_path(resume_from))
            self.model.load_state_dict(state.model)
            if state.optimizer is not None:
                self.opt.load_state_dict(state.optimizer)
            if state.rng is not None:
                self.gen.set_state(state.rng)
            if self.ema is not None:
                self.ema = _EMA(self.model, cfg.train.ema, state.ema)
            self.start = self.last_saved = state.step

    def diverged(self, step: int, what: str) -> TrainingDiverged:
        return TrainingDiverged(
            f"train.lr: {what} stopped being finite by step {step} (learning rate "
            f"{self.cfg.train.lr:g} too high?); training stopped, the last good checkpoint is "
            f"step {self.last_saved}"
        )

    def save(self, step: int, rng: torch.Tensor | None = None) -> None:
        if not all(torch.isfinite(p).all() for p in self.model.parameters()):
            raise self.diverged(step, "the weights")
        state = TrainState(
            step=step,
            model=self.model.state_dict(),
            ema=self.ema.params if self.ema else None,
            optimizer=self.opt.state_dict(),
            rng=self.gen.get_state() if rng is None else rng,
        )
        save_checkpoint(self.run.checkpoint_path(step), self.cfg, state)
        self.run.log(CheckpointRow(step=step))
        self.last_saved = step


def _latest_good(run: RunFolder, steps: list[int], log: Callable[[str], None]) -> int | None:
    """The latest checkpoint that loads; corrupt later ones are set aside (renamed
    ``*.corrupt``, nothing deleted) with a message."""
    for step in reversed(steps):
        try:
            load_train_state(run.checkpoint_path(step))
            return step
        except ConfigError as err:
            path = run.checkpoint_path(step)
            path.rename(path.with_name(path.name + ".corrupt"))
            log(f"warning: {err}; set aside as {path.name}.corrupt, resuming from an earlier one")
    return None


def _resume_point(
    run: RunFolder, cfg: Config, resume: bool, log
) -> tuple[Config | None, int | None]:
    """The saved config (None for a new run) and the checkpoint to resume from (None: from
    the start), after the checks a resume must pass; leftovers of killed writes removed."""
    if run.root.exists() and not run.root.is_dir():
        raise ConfigError(f"out: {run.root} is a file, not a folder")
    run.remove_orphans()
    existing = run.checkpoint_steps()
    if existing and not resume:
        raise ConfigError(
            f"out: {run.root} already holds checkpoints; resume it or choose a new folder"
        )
    saved = run.read_config() if resume and run.config_path.is_file() else None
    if saved is not None:
        check_resume_config(saved, cfg)
    resume_from = _latest_good(run, existing, log) if resume and existing else None
    if resume_from is not None and cfg.train.steps < resume_from:
        raise ConfigError(
            f"train.steps: the run already reached step {resume_from}; resume with at least "
            f"that many, got {cfg.train.steps}"
        )
    return saved, resume_from


def train(
    cfg: Config,
    out: str | Path,
    resume: bool = False,
    progress: bool = True,
    on_step: Callable[[int], None] | None = None,
    log: Callable[[str], None] | None = None,
    threads: int | None = None,
) -> RunFolder:
    """Train ``cfg`` into the run folder ``out``; returns the folder.

    Args:
        cfg: the resolved config.
        out: run folder; must not hold checkpoints unless ``resume``.
        resume: continue from the latest good checkpoint in ``out``.
        progress: show a progress bar with loss and ETA.
        on_step: called with the step number after each optimizer step (tests use it to stop).
        log: where warnings go (a corrupt checkpoint set aside, a torn metrics line repaired).
        threads: CPU threads for this call instead of ``train.threads`` (the training
            process of analysis/while_training.py).

    Raises:
        ConfigError: ``out`` already holds a run and ``resume`` is off, the configs disagree,
            or (TrainingDiverged) the loss or weights stop being finite.
    """
    log = log or (lambda _msg: None)
    run = RunFolder(out)
    device = resolve_device(cfg.train.device)
    cfg = resolve_precision(cfg, device, log)  # config.yaml records what "auto" resolved to
    saved, resume_from = _resume_point(run, cfg, resume, log)
    set_threads(threads or cfg.train.threads)
    trainer = _Trainer(cfg, run, device, resume_from)
    if saved != cfg:  # the same training (checked above); steps or analysis settings changed
        run.write_config(cfg)
    offset = 0.0
    if resume_from is not None:
        offset = run.repair_metrics(after_step=resume_from, log=log)
    elif resume:  # no checkpoint was saved (a full disk at step 0): the start is logged anew
        run.repair_metrics(after_step=-1, log=log, restart=True)
    x_0, cond = training_data(cfg, device)
    schedule = set(
        checkpoint_schedule(cfg.train.steps, cfg.train.checkpoints, cfg.train.first_checkpoint)
    )
    if trainer.start == 0:
        _start(trainer, run, x_0, device, schedule)
    _loop(trainer, x_0, cond, schedule, progress, on_step, offset)
    return run


def _start(trainer: _Trainer, run: RunFolder, x_0, device, schedule: set[int]) -> None:
    """A new run: the start row and the untrained network's checkpoint (step 0)."""
    start = StartRow(
        step=0,
        n_images=x_0.shape[0],
        parameters=count_parameters(trainer.model),
        device=str(device),
        schedule=sorted(schedule),
    )
    run.log(start)
    trainer.save(0)


class ProgressLines:
    """Progress without a bar (``progress`` off: stderr is a log file, or a model trains beside
    others): a line on stderr at most every ``every`` seconds with the step, the loss and the
    time left at this process's pace, so that a long training shows it is going."""

    every = 60.0

    def __init__(self, name: str, start: int, total: int):
        self.name, self.start, self.total = name, start, total
        self.began = self.last = time.perf_counter()

    def at(self, step: int, loss: float) -> None:
        now = time.perf_counter()
        if now - self.last < self.every or step <= self.start:
            return
        self.last = now
        left = (self.total - step) * (now - self.began) / (step - self.start)
        text = (f"train {self.name}: step {step}/{self.total} ({step / self.total:.0%}), loss "
                f"{loss:.4f}, about {left / 60:.0f} min left")  # fmt: skip
        print(text, file=sys.stderr, flush=True)


def _loop(trainer: _Trainer, x_0, cond, schedule, progress: bool, on_step, offset: float) -> None:
    """Optimizer steps from ``trainer.start + 1`` to ``train.steps``: loss rows (their seconds
    continuing from ``offset``), checkpoints on the schedule, and on a stop (Ctrl-C, SIGTERM, or
    ``on_step`` raising KeyboardInterrupt) a checkpoint of the last completed step."""
    cfg, run, model, gen = trainer.cfg, trainer.run, trainer.model, trainer.gen
    abar = alphas_cumprod(cfg.diffusion).to(x_0.device)
    batch, total, start = cfg.train.batch_size, cfg.train.steps, trainer.start
    bf16 = uses_bf16(cfg.train, x_0.device)
    log_every = max(1, total // 200)
    model.train()
    bar = tqdm(total=total, initial=start, disable=not progress, desc="train", unit="step")
    lines = None if progress else ProgressLines(run.root.name, start, total)
    running, count, t_start = 0.0, 0, time.perf_counter() - offset
    done, rng_before = start, gen.get_state()  # last completed step; RNG before the current one
    with _StopRequests() as stop:
        try:
            for step in range(start + 1, total + 1):
                rng_before = gen.get_state()
                loss = train_step(model, trainer.opt, x_0, cond, abar, gen, batch, bf16)
                if trainer.ema is not None:
                    trainer.ema.update(model)
                done = step
                running += loss
                count += 1
                if step % log_every == 0 or step == total:
                    mean = float(running) / count  # the only host sync of the loop
                    if not math.isfinite(mean):
                        raise trainer.diverged(step, "the loss")
                    run.log(TrainRow(step=step, loss=mean, seconds=time.perf_counter() - t_start))
                    bar.set_postfix(loss=f"{mean:.4f}")
                    if lines is not None:
                        lines.at(step, mean)
                    running, count = 0.0, 0
                if step in schedule:
                    trainer.save(step)
                bar.update(1)
                if on_step is not None:
                    on_step(step)
                if stop.signal is not None:
                    raise KeyboardInterrupt
        except KeyboardInterrupt:
            if trainer.last_saved != done and done > start:
                trainer.save(done, rng=None if done == step else rng_before)
            run.log(InterruptedRow(step=done))
            raise
        finally:
            bar.close()


def is_trained(cfg: Config, run: RunFolder) -> bool:
    """``run`` already holds a checkpoint at ``train.steps`` or later."""
    done = run.checkpoint_steps()
    return bool(done) and done[-1] >= cfg.train.steps


def train_to_end(
    cfg: Config,
    run: RunFolder,
    log: Callable[[str], None],
    progress: bool = True,
    threads: int | None = None,
) -> RunFolder:
    """Train ``cfg`` into ``run`` from its latest checkpoint; a finished run is left as it is.
    ``threads``: as in ``train``."""
    if is_trained(cfg, run):
        return run
    done = run.checkpoint_steps()
    if done:
        log(f"continuing {run.root} from step {done[-1]}")
    return train(cfg, run.root, resume=bool(done), progress=progress, threads=threads)
