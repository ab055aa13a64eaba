"""One writer per run folder: a command that writes a run folder claims it for its whole life.

The claim is an exclusive ``flock`` on ``<run>/run.lock``, a file that holds the holder's PID,
command and start time: the kernel releases the lock when the holder exits, however it exits, so
a lock can never outlive its process; a lock file left by a dead process is taken over, and that
is said. A second writer is refused at once (ConfigError: one line naming the holder, exit 2 at
the CLI). Readers (``report``, ``aggregate``) never claim and never wait.

A process that holds a claim may claim the same folder again (nested calls), and the processes it
starts inherit the claim through the environment (``BUMPDIFF_CLAIMED``): the training child of
``train.overlap`` writes the folder its parent claimed. Where ``fcntl`` does not exist (Windows)
nothing is locked: one writer per run folder is then the user's to keep.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from bumpdiff.config import ConfigError

LOCK_NAME = "run.lock"
ENV = "BUMPDIFF_CLAIMED"
_HELD: dict[str, int] = {}  # resolved folder → nesting depth of this process's claims


def _inherited() -> set[str]:
    return {p for p in os.environ.get(ENV, "").split(os.pathsep) if p}


def _set_inherited(roots: set[str]) -> None:
    if roots:
        os.environ[ENV] = os.pathsep.join(sorted(roots))
    else:
        os.environ.pop(ENV, None)


def alive(pid: int) -> bool:
    """Whether a process ``pid`` exists on this machine (never for 0 or below, which
    ``os.kill`` would take for a process group)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def holder(root: Path) -> dict:
    """What the lock file of ``root`` says of its holder ({} when none or unreadable)."""
    try:
        data = json.loads((Path(root) / LOCK_NAME).read_text() or "{}")
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _describe(info: dict) -> str:
    since = time.strftime("%H:%M:%S", time.localtime(info["started"])) if "started" in info else "?"
    return f"PID {info.get('pid', '?')} ({info.get('command', '?')}, since {since})"


def _acquire(path: Path) -> int:
    """An open descriptor of ``path`` holding its exclusive lock; ConfigError when another
    process holds it. Retries when the file was replaced between opening and locking."""
    import fcntl

    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise ConfigError(
                f"run: {path.parent} is being written by {_describe(holder(path.parent))}; "
                "wait for it to end or stop it (one writer per run folder)"
            ) from None
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:  # its holder removed it as we locked: take the new one
            same = False
        if same:
            return fd
        os.close(fd)


@contextmanager
def claim(
    root: str | Path, command: str, log: Callable[[str], None] | None = None
) -> Iterator[None]:
    """Hold ``root`` as its one writer while the block runs (module docstring)."""
    root = Path(root)
    key = str(root.resolve())
    if key in _HELD or key in _inherited():
        _HELD[key] = _HELD.get(key, 0) + 1
        try:
            yield
        finally:
            _HELD[key] -= 1
            if not _HELD[key]:
                del _HELD[key]
        return
    try:
        import fcntl  # noqa: F401  (POSIX only)
    except ImportError:
        yield
        return
    if root.exists() and not root.is_dir():
        raise ConfigError(f"out: {root} is a file, not a folder")
    root.mkdir(parents=True, exist_ok=True)
    path = root / LOCK_NAME
    fd = _acquire(path)
    before = holder(root)
    if before.get("pid") not in (None, os.getpid()) and log:
        log(f"{root}: its lock was left by {_describe(before)}, no longer running; taken over")
    info = {"pid": os.getpid(), "command": command, "started": time.time()}
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(info).encode(), 0)
    _HELD[key] = 1
    _set_inherited(_inherited() | {key})
    try:
        yield
    finally:
        _HELD.pop(key, None)
        _set_inherited(_inherited() - {key})
        path.unlink(missing_ok=True)  # before the unlock: a waiter then makes a fresh file
        os.close(fd)
