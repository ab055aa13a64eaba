"""A spawned child's outcome reaches its starter: its error raised there as the same kind, and
one killed before it could report named by its exit code."""

import multiprocessing as mp
import os
import signal

import pytest

from bumpdiff.config import ConfigError
from bumpdiff.training.children import child_main, raise_child_failure, stop_children


def _fails_with(kind: str) -> None:
    if kind == "config":
        raise ConfigError("train.lr: -1 is not allowed (must be > 0)")
    if kind == "killed":
        os.kill(os.getpid(), signal.SIGKILL)
    raise ValueError("a bug")


def _pause_once_started(started) -> None:
    started.set()
    signal.pause()


def _outcome(kind: str):
    ctx = mp.get_context("spawn")
    errors = ctx.Queue()
    child = ctx.Process(target=child_main, args=(_fails_with, (kind,), errors))
    child.start()
    child.join()
    return child.exitcode, errors


@pytest.mark.parametrize(
    ("kind", "code", "raised", "message"),
    [("config", 2, ConfigError, "train.lr: -1"), ("bug", 1, RuntimeError, "ValueError"),
     ("killed", -signal.SIGKILL, RuntimeError, "exit -9")],
)  # fmt: skip
def test_a_childs_failure_is_raised_by_its_starter_as_its_own_kind(kind, code, raised, message):
    exitcode, errors = _outcome(kind)
    assert exitcode == code
    with pytest.raises(raised, match=message):
        raise_child_failure(errors, exitcode)


def test_stopping_children_ends_those_alive_and_leaves_the_ended_alone():
    ctx = mp.get_context("spawn")
    errors = ctx.Queue()
    ended = ctx.Process(target=child_main, args=(_fails_with, ("bug",), errors))
    ended.start()
    ended.join()
    started = ctx.Event()
    sleeper = ctx.Process(target=child_main, args=(_pause_once_started, (started,), errors))
    sleeper.start()
    assert started.wait(60)
    stop_children([ended, sleeper])
    assert sleeper.exitcode == 130 and ended.exitcode == 1  # a stop, through its own handler
