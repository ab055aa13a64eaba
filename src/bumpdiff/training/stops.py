"""How a stop reaches every process of a bumpdiff command.

``interrupt_on_stop_signals`` makes SIGTERM and SIGHUP act as Ctrl-C (a KeyboardInterrupt) in a
process, so every process that started others runs its cleanup (it stops them, each saving where
it is) whatever signal stopped it; during a training step the training loop's own handler
(training/loop.py) defers the stop to the end of the step. Python's default for SIGTERM and
SIGHUP would end the process at once and leave its children running.

``stop_when_orphaned`` watches, in a child process, for its parent to go away (a SIGKILL, a
crash): the child is then re-parented, and it stops itself as if sent SIGTERM, saving where it
is. No bumpdiff process outlives the one that started it.
"""

from __future__ import annotations

import os
import signal
import threading

STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)
ORPHAN_POLL_SECONDS = 0.5


def _interrupt(signum, _frame) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def interrupt_on_stop_signals() -> None:
    """SIGTERM and SIGHUP raise KeyboardInterrupt in this process (main thread only, where
    Python lets handlers be set; elsewhere nothing changes)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in STOP_SIGNALS:
        signal.signal(sig, _interrupt)


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
