"""Spawned processes that stop with the one that started them.

Training runs in spawned processes in two places: the phases run's training beside its analysis
(analysis/while_training.py) and a study's members side by side (training/side_by_side.py). A
stop sent to the starting process alone (``kill PID``, a scheduler's SIGTERM) does not reach its
children, so the starter sends each child SIGTERM itself (``stop_children``); each child, in
``child_main``, treats SIGTERM and SIGHUP as Ctrl-C (training saves where it is), stops by
itself once its starter has gone (a SIGKILL, a crash), and sends its error back through a queue,
which the starter raises as its own (``raise_child_failure``).
"""

from __future__ import annotations

import gc
import queue
from collections.abc import Callable, Iterable

from bumpdiff.config import ConfigError
from bumpdiff.training.stops import interrupt_on_stop_signals, stop_when_orphaned, stopped_instead

REPORT_WAIT_SECONDS = 5  # how long a failed child's report is awaited in the queue


def child_main(target: Callable[..., None], args: tuple, errors) -> None:
    """In a spawned process: ``target(*args)``; a stop exits 130, a ``ConfigError`` 2, any other
    error 1, each with ``(kind, message)`` put in ``errors``."""
    interrupt_on_stop_signals()
    stop_when_orphaned()
    try:
        target(*args)
        gc.freeze()  # its exit skips the last collections, as cli.main's (the parent waits for it)
    except (Exception, KeyboardInterrupt) as err:
        if stopped_instead(err):  # a stop, or an error a library turned one into
            errors.put(("interrupt", "training stopped"))
            raise SystemExit(130) from None
        config = isinstance(err, ConfigError)
        errors.put(("config", str(err)) if config else ("error", repr(err)))
        raise SystemExit(2 if config else 1) from None


def raise_child_failure(errors, exitcode: int) -> None:
    """Raise here what a child that exited with ``exitcode`` (not 0) reported: a stop as
    KeyboardInterrupt, a config error as ``ConfigError``, else RuntimeError."""
    try:
        kind, message = errors.get(timeout=REPORT_WAIT_SECONDS)
    except queue.Empty:  # killed before it could report
        kind, message = "error", f"exit {exitcode}"
    if kind == "interrupt":
        raise KeyboardInterrupt
    if kind == "config":
        raise ConfigError(message)
    raise RuntimeError(f"the training process failed: {message}")


def stop_children(children: Iterable) -> None:
    """SIGTERM to every child still alive (each saves where it is and stops), then wait for all."""
    children = list(children)
    for child in children:
        if child.is_alive():
            child.terminate()
    for child in children:
        child.join()
