"""Work side by side on the CPU (``train.overlap``): the phases run's training goes to a second
process on half the CPU threads while this one evaluates and probes each checkpoint as soon as it
is saved, on the other half (``train_overlapped``); an experiment of several models trains them
as many at a time as there are threads, one thread each (``train_side_by_side``).

Why: on 2 CPU cores a training step of the quick preset uses its second thread at about 75 %
(7.3 steps/s with 2 threads, about 4.5 with 1: benchmarks/cpu-2core-threads.json), and the
checkpoints' analysis, which used to wait for the end of training, is as long again. Two
one-thread processes keep both cores busy. What is computed is unchanged: the same seeded
training (only its thread count differs, which moves floating-point sums in the last bits) and the
same analysis of every checkpoint (analysis.analyse_pending, whose resume rule also makes an
interrupted overlapped run continue like any other).

Checkpoints are written under a temporary name and renamed (checkpoint.py), so a checkpoint seen
is complete; both processes append to metrics.jsonl under a lock (RunFolder.log). A stop (Ctrl-C,
SIGTERM) reaches the training process, which saves where it stopped, as ``bumpdiff train`` does.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from bumpdiff.analysis import analyse_pending
from bumpdiff.config import Config, ConfigError, build_config
from bumpdiff.model import resolve_device, resolve_threads
from bumpdiff.runfolder import RunFolder
from bumpdiff.train import train_to_end, trained

POLL_SECONDS = 0.5  # how often a waiting analysis looks for a new checkpoint


def split_threads(cfg: Config) -> tuple[int, int]:
    """(training threads, analysis threads): ``train.threads`` (or the free cores) in two
    halves, training taking the larger."""
    total = resolve_threads(cfg.train.threads)
    analysis = total // 2
    return total - analysis, analysis


def can_overlap(cfg: Config) -> str | None:
    """None when ``train.overlap`` can work here, else why not (said in the log)."""
    if not cfg.train.overlap:
        return "train.overlap is off"
    if resolve_device(cfg.train.device).type != "cpu":
        return "the network trains on a GPU"
    if split_threads(cfg)[1] < 1:
        return "only one CPU thread is free"
    return None


def _train_one(tree: dict, root: str, threads: int) -> None:
    """In a spawned process: ``train_to_end`` of the run ``root`` of config ``tree`` on
    ``threads`` threads."""
    train_to_end(build_config(tree), RunFolder(Path(root)), lambda _m: None, False, threads)


def _train_child(tree: dict, root: str, threads: int, errors) -> None:
    """The second process of ``train_overlapped``: ``_train_one``, its errors sent back."""
    try:
        _train_one(tree, root, threads)
    except KeyboardInterrupt:
        errors.put(("interrupt", "training stopped"))
        raise SystemExit(130) from None
    except ConfigError as err:  # sent to the parent, which raises it there
        errors.put(("config", str(err)))
        raise SystemExit(2) from None
    except Exception as err:
        errors.put(("error", repr(err)))
        raise SystemExit(1) from None


def train_overlapped(cfg: Config, run: RunFolder, log: Callable[[str], None]) -> None:
    """Train ``cfg`` into ``run`` in a second process while analysing its checkpoints here
    (module docstring); returns when training has finished. Checkpoints saved last may still be
    unanalysed: the experiment's analysis step does them."""
    if trained(cfg, run):
        return
    train_threads, analysis_threads = split_threads(cfg)
    log(
        f"training on {train_threads} thread(s) in a second process while analysing each "
        f"checkpoint on {analysis_threads} (train.overlap)"
    )
    ctx = mp.get_context("spawn")  # a fresh interpreter: no forked torch thread pools
    errors = ctx.Queue()
    child = ctx.Process(
        target=_train_child,
        args=(cfg.model_dump(mode="json"), str(run.root), train_threads, errors),
    )
    child.start()
    train_cfg = cfg.train.model_copy(update={"threads": analysis_threads})
    analysis_cfg = cfg.model_copy(update={"train": train_cfg})
    try:
        while child.is_alive():
            if not analyse_pending(run, analysis_cfg, log, only=run.checkpoint_steps()):
                child.join(POLL_SECONDS)
    except BaseException:
        if child.is_alive():
            child.terminate()  # SIGTERM: the training saves where it is and stops
        child.join()
        raise
    child.join()
    if child.exitcode != 0:
        kind, message = errors.get() if not errors.empty() else ("error", f"exit {child.exitcode}")
        if kind == "interrupt":
            raise KeyboardInterrupt
        if kind == "config":
            raise ConfigError(message)
        raise RuntimeError(f"the training process failed: {message}")


def train_side_by_side(members: list[tuple[str, Config, RunFolder]], log) -> None:
    """Train every unfinished member (what, config, run folder) to its end, as many at a time
    as there are threads (``train.threads`` or the free cores), one thread each, in spawned
    processes; a member's error is raised here once the others have stopped."""
    todo = [(what, cfg, run) for what, cfg, run in members if not trained(cfg, run)]
    if not todo:
        return
    workers = min(len(todo), sum(split_threads(todo[0][1])))
    log(f"training {len(todo)} models {workers} at a time, one thread each (train.overlap)")
    ctx = mp.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        futures = {
            pool.submit(_train_one, cfg.model_dump(mode="json"), str(run.root), 1): (what, run)
            for what, cfg, run in todo
        }
        try:
            for future in as_completed(futures):
                future.result()
                what, run = futures[future]
                log(f"{what} trained → {run.root}")
        except BaseException:
            pool.shutdown(cancel_futures=True)  # the running ones stop on the same signal
            raise
