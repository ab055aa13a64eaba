"""Several models trained at once on the CPU (``train.overlap``): an experiment of several models
trains them as many at a time as there are threads, one thread each, in spawned processes
(``train_side_by_side``). The phases run's training beside its own analysis is
``analysis/while_training.py``; both split the threads with ``split_threads``.

Why one thread each: on 2 CPU cores a training step of the quick preset uses its second thread
only in part (``benchmarks/cpu-2core-threads.json``), so two one-thread trainings finish sooner
than the same two one after another on two threads. What is computed is that of one-thread
training (tested bit for bit); a stop (Ctrl-C, SIGTERM) reaches every training process, which
saves where it stopped, as ``bumpdiff train`` does.
"""

from __future__ import annotations

import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from bumpdiff.config import Config, build_config
from bumpdiff.devices import resolve_device, resolve_threads
from bumpdiff.store.runfolder import RunFolder
from bumpdiff.training.loop import is_trained, train_to_end


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


def train_side_by_side(members: list[tuple[str, Config, RunFolder]], log) -> None:
    """Train every unfinished member (what, config, run folder) to its end, as many at a time
    as there are threads (``train.threads`` or the free cores), one thread each, in spawned
    processes; a member's error is raised here once the others have stopped."""
    todo = [(what, cfg, run) for what, cfg, run in members if not is_trained(cfg, run)]
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
