"""Several models trained at once on the CPU (``train.overlap``): an experiment of several models
trains them as many at a time as there are threads, one thread each, in spawned processes
(``train_side_by_side``). The phases run's training beside its own analysis is
``analysis/while_training.py``; both split the threads with ``split_threads``.

Why one thread each: on 2 CPU cores a training step of the quick preset uses its second thread
only in part (``benchmarks/cpu-2core-threads.json``), so two one-thread trainings finish sooner
than the same two one after another on two threads. What is computed is that of one-thread
training (tested bit for bit); a stop (Ctrl-C, SIGTERM to this process alone or to its group)
reaches every training process, which saves where it stopped, as ``bumpdiff train`` does, and no
further member starts.
"""

from __future__ import annotations

import multiprocessing as mp
from multiprocessing.connection import wait
from pathlib import Path

from bumpdiff.config import Config, build_config
from bumpdiff.devices import resolve_device, resolve_threads
from bumpdiff.store.runfolder import RunFolder
from bumpdiff.training.children import child_main, raise_child_failure, stop_children
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
    as there are threads (``train.threads`` or the free cores), one thread each, each in a
    spawned process of its own (training/children.py). A stop here, or a member's error, stops
    the running members (each saves where it is) and starts no other; the error is raised."""
    todo = [(what, cfg, run) for what, cfg, run in members if not is_trained(cfg, run)]
    if not todo:
        return
    workers = min(len(todo), sum(split_threads(todo[0][1])))
    log(f"training {len(todo)} models {workers} at a time, one thread each (train.overlap)")
    ctx = mp.get_context("spawn")  # a fresh interpreter: no forked torch thread pools
    errors, running = ctx.Queue(), {}
    try:
        for what, cfg, run in todo:
            while len(running) >= workers:
                _finish_one(running, errors, log)
            args = (_train_one, (cfg.model_dump(mode="json"), str(run.root), 1), errors)
            child = ctx.Process(target=child_main, args=args)
            child.start()
            running[child] = (what, run)
        while running:
            _finish_one(running, errors, log)
    except BaseException:
        stop_children(running)
        raise


def _finish_one(running: dict, errors, log) -> None:
    """Wait for one of the ``running`` children to end, then drop it from ``running``: logged
    when it trained, its failure raised otherwise."""
    done = {child.sentinel: child for child in running}
    child = done[wait(list(done))[0]]
    child.join()
    what, run = running.pop(child)
    if child.exitcode != 0:
        raise_child_failure(errors, child.exitcode)
    log(f"{what} trained → {run.root}")
