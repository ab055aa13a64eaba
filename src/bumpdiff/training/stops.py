"""How a stop reaches every process of a bumpdiff command.

``interrupt_on_stop_signals`` makes SIGTERM and SIGHUP act as Ctrl-C (a KeyboardInterrupt) in a
process, so every process that started others runs its cleanup (it stops them, each saving where
it is) whatever signal stopped it; during a training step the training loop's own handler
(training/loop.py) defers the stop to the end of the step. Python's default for SIGTERM and
SIGHUP would end the process at once and leave its children running.

``stop_when_orphaned`` watches, in a child process, for its parent to go away (a SIGKILL, a
crash): the child is then re-parented, and it stops itself as if sent SIGTERM, saving where it
is. No bumpdiff process outlives the one that started it.

A stop is also remembered (``stop_requested``): a KeyboardInterrupt raised while a compiled
library calls back into Python can come out of that library as some other error (safetensors,
reading a checkpoint, turns it into a shape error), or not at all. Whoever catches errors asks
``stopped_instead(err)`` and treats the error as the stop it hides; loops that must not run on
after a swallowed stop call ``raise_if_stopped`` between pieces of work.
"""

from __future__ import annotations

import os
import signal
import threading

STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)
ORPHAN_POLL_SECONDS = 0.5
_REQUESTED: list[int] = []  # the signals received in this process, in order


def _interrupt(signum, _frame) -> None:
    _REQUESTED.append(signum)
    raise KeyboardInterrupt(f"signal {signum}")


def interrupt_on_stop_signals() -> None:
    """SIGINT, SIGTERM and SIGHUP raise KeyboardInterrupt in this process and are remembered
    (main thread only, where Python lets handlers be set; elsewhere nothing changes)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in (signal.SIGINT, *STOP_SIGNALS):
        signal.signal(sig, _interrupt)


def note_stop(signum: int) -> None:
    """Remember a stop that a handler of another module received (the training loop's)."""
    _REQUESTED.append(signum)


def stop_requested() -> int | None:
    """The first stop signal this process received, or None."""
    return _REQUESTED[0] if _REQUESTED else None


def stopped_instead(err: BaseException) -> bool:
    """``err`` is, or may hide, a stop: a KeyboardInterrupt, or any error once a stop came."""
    return isinstance(err, KeyboardInterrupt) or stop_requested() is not None


def raise_if_stopped() -> None:
    """KeyboardInterrupt if a stop came and something swallowed the one it raised."""
    if stop_requested() is not None:
        raise KeyboardInterrupt(f"signal {stop_requested()}")


def stop_when_orphaned(poll: float = ORPHAN_POLL_SECONDS) -> threading.Thread:
    """A daemon thread that sends this process SIGTERM once its parent has gone (its parent
    PID changed); returns the thread."""
    parent = os.getppid()

    def watch() -> None:
        event = threading.Event()
        while not event.wait(poll):
            if os.getppid() != parent:
                os.kill(os.getpid(), signal.SIGTERM)
                return

    thread = threading.Thread(target=watch, name="bumpdiff-orphan-watch", daemon=True)
    thread.start()
    return thread
