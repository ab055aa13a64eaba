"""Analysing a run while it trains (``train.overlap``): the phases run's training goes to a
second process on half the CPU threads while this one evaluates and probes each checkpoint as
soon as it is saved, on the other half (``train_while_analysing``).

Why: on 2 CPU cores a training step of the quick preset uses its second thread only in part
(``benchmarks/cpu-2core-threads.json``), and the checkpoints' analysis is about as long as the
training. Two one-thread processes keep both cores busy; once trained, the second process
analyses too, from the last checkpoint back while the first goes on from the first (a claim on
each checkpoint file, ``checkpoint_claim``), so the analysis left at the end of training is not
done by one process on two threads, which analyse a checkpoint well under twice as fast as one
(``benchmarks/cpu-2core-demo-timeline.json``: sampling and probe seconds per checkpoint). What is
computed is unchanged: the same seeded training (only its thread count differs, which moves
floating-point sums in the last bits) and the same analysis of every checkpoint
(``analysis.pipeline.pending``, whose resume rule also makes an interrupted run continue like any
other).

Checkpoints are written under a temporary name and renamed (store/checkpoint.py), so a checkpoint
seen is complete; both processes append to metrics.jsonl under a lock (``RunFolder.log``). A stop
(Ctrl-C, SIGTERM) reaches the training process, which saves where it stopped, as ``bumpdiff
train`` does.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from bumpdiff.config import Config, build_config
from bumpdiff.store.runfolder import RunFolder
from bumpdiff.training.children import child_main, raise_child_failure, stop_children
from bumpdiff.training.loop import is_trained, train_to_end
from bumpdiff.training.side_by_side import split_threads
from bumpdiff.training.stops import raise_if_stopped

try:
    import fcntl
except ImportError:  # Windows: no advisory locks, so the training process does not analyse
    fcntl = None

POLL_SECONDS = 0.5  # how often a waiting analysis looks for a new checkpoint


@contextmanager
def checkpoint_claim(run: RunFolder, step: int) -> Iterator[bool]:
    """Whether this process holds checkpoint ``step`` for its analysis (an exclusive,
    non-blocking flock on the checkpoint file, released on exit or when the process dies); False
    when another process holds it or there are no locks (``fcntl`` missing)."""
    if fcntl is None:
        yield False
        return
    fd = os.open(run.checkpoint_path(step), os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        yield False
        return
    try:
        yield True
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def analyse_next(run: RunFolder, cfg: Config, log, last_first: bool = False) -> bool:
    """Evaluate and probe the first (``last_first``: the last) checkpoint still pending that no
    other process is analysing; False when there is none. The two processes of
    ``train_overlapped`` share the checkpoints this way, each taking them from its own end."""
    # imported here, not at the top: the training process starts training without the analysis's
    # modules (its imports paid later), and loads them only once it has trained
    from bumpdiff.analysis.pipeline import analyse_checkpoint, log_analysed, pending

    for step in sorted(pending(run, cfg), reverse=last_first):
        with checkpoint_claim(run, step) as mine:
            todo = pending(run, cfg, only=[step]).get(step) if mine else None
            if todo:  # read again under the claim: the other process may just have done it
                rows = analyse_checkpoint(run, cfg, step, todo)
                log_analysed(log, rows, run, step, f"[{len(run.checkpoint_steps())} saved]")
                return True
    return False


def warm_up(cfg: Config) -> None:
    """Pay ahead what a process's first checkpoint analysis costs once (oneDNN's
    kernels for the network's input shapes, umap's compiled code loaded, the detector's
    modules), while the training process starts and no checkpoint is there yet. Computes
    nothing that is kept: an untrained network's outputs and a small UMAP are thrown away."""
    import numpy as np
    import torch

    from bumpdiff.analysis.pipeline import eval_conditions
    from bumpdiff.analysis.probing import eval_window
    from bumpdiff.devices import set_threads
    from bumpdiff.diffusion.network import init_model
    from bumpdiff.probe.umap_cache import warm
    from bumpdiff.scoring.detect import find_bumps

    set_threads(cfg.train.threads)
    model, size = init_model(cfg).eval(), cfg.data.size
    images = min(len(eval_conditions(cfg)) * cfg.sample.draws, cfg.sample.batch_size)
    with torch.inference_mode():
        for rows in {images, cfg.sample.batch_size}:  # sampling's batch, the probe's batch
            cond = torch.full((rows, 2), size / 2)
            model(torch.zeros(rows, 1, size, size), torch.zeros(rows, dtype=torch.long), cond)
    warm()
    find_bumps(np.zeros((2, size, size)), cfg.eval.prominence, eval_window(cfg))


def _say(message: str) -> None:
    print(f"(training process) {message}", file=sys.stderr, flush=True)


def _train_and_analyse(tree: dict, root: str, threads: int) -> None:
    """In the spawned process: ``train_to_end`` of the run ``root`` of config ``tree`` on
    ``threads`` threads, then analyse the pending checkpoints from the last one back
    (``analyse_next``) until none is left, beside the first process."""
    cfg, run = build_config(tree), RunFolder(Path(root))
    train_to_end(cfg, run, lambda _m: None, False, threads)
    one = cfg.model_copy(update={"train": cfg.train.model_copy(update={"threads": threads})})
    while analyse_next(run, one, _say, last_first=True):
        pass


def train_while_analysing(cfg: Config, run: RunFolder, log: Callable[[str], None]) -> None:
    """Train ``cfg`` into ``run`` in a second process while analysing its checkpoints here
    (module docstring); once trained, that process analyses too, from the last checkpoint back,
    while this one goes on from the first. Returns when the second process has finished; a
    checkpoint left unanalysed (none, unless a process stopped) is done by the experiment's
    analysis step."""
    if is_trained(cfg, run):
        return
    train_threads, analysis_threads = split_threads(cfg)
    log(
        f"training on {train_threads} thread(s) in a second process while analysing each "
        f"checkpoint on {analysis_threads}; then both analyse (train.overlap)"
    )
    ctx = mp.get_context("spawn")  # a fresh interpreter: no forked torch thread pools
    errors = ctx.Queue()
    args = (cfg.model_dump(mode="json"), str(run.root), train_threads)
    child = ctx.Process(target=child_main, args=(_train_and_analyse, args, errors))
    child.start()
    train_cfg = cfg.train.model_copy(update={"threads": analysis_threads})
    analysis_cfg = cfg.model_copy(update={"train": train_cfg})
    try:
        warm_up(analysis_cfg)
        while child.is_alive():
            if not analyse_next(run, analysis_cfg, log):
                child.join(POLL_SECONDS)
            raise_if_stopped()
    except BaseException:
        stop_children([child])  # SIGTERM: the training saves where it is and stops
        raise
    child.join()
    if child.exitcode != 0:
        raise_child_failure(errors, child.exitcode)
