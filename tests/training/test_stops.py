"""A stop reaches every process: SIGTERM and SIGHUP act as Ctrl-C; a child whose parent dies
stops itself; SIGTERM to ``run`` with ``train.overlap`` leaves no process alive and a resume
logs no row twice; a sweep run without Ray stops the same way."""

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
import yaml
from conftest import TINY

from bumpdiff.store.lock import claim
from bumpdiff.training.stops import interrupt_on_stop_signals, raise_if_stopped, stop_requested


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_stop_signals_act_as_ctrl_c_and_are_remembered(sig):
    before = {s: signal.getsignal(s) for s in (signal.SIGINT, sig)}
    try:
        interrupt_on_stop_signals()
        assert stop_requested() is None
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), sig)
            time.sleep(5)  # the handler runs at the next bytecode
        assert stop_requested() == sig
        with pytest.raises(KeyboardInterrupt):  # a later check sees the stop a library swallowed
            raise_if_stopped()
    finally:
        for s, handler in before.items():
            signal.signal(s, handler)


SWALLOWED = """
import os, signal, sys, time
import typer
from bumpdiff.cli import user_errors
from bumpdiff.config import ConfigError
from bumpdiff.training.stops import interrupt_on_stop_signals
interrupt_on_stop_signals()

@user_errors
def command(resume: bool = False):
    try:  # as safetensors does: a KeyboardInterrupt raised inside it comes out as its own error
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)
    except KeyboardInterrupt:
        raise ConfigError("checkpoint: step-2.safetensors is corrupt (could not determine ...)")

try:
    command()
except typer.Exit as done:
    sys.exit(done.exit_code)
"""


def test_a_stop_a_library_turned_into_an_error_still_ends_as_a_stop():
    """A SIGTERM that a compiled library turned into another error (here a checkpoint said to be
    corrupt) ends the command as a stop, 130, not as bad input (exit 2)."""
    done = subprocess.run([sys.executable, "-c", SWALLOWED], capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert done.returncode == 130, done.stderr
    assert "interrupted" in done.stderr and "corrupt" not in done.stderr


CHILD = """
import signal, sys, time
from bumpdiff.training.stops import interrupt_on_stop_signals, stop_when_orphaned
interrupt_on_stop_signals()
stop_when_orphaned(poll=0.1)
print("watching", flush=True)
try:
    time.sleep(60)
except KeyboardInterrupt:
    open(sys.argv[1], "w").write("stopped")
"""
PARENT = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", sys.argv[1], sys.argv[2]], stdout=subprocess.PIPE,
                         text=True)
child.stdout.readline()
print(child.pid, flush=True)
time.sleep(60)
"""


def test_a_child_stops_itself_once_its_parent_is_gone(tmp_path):
    parent = subprocess.Popen([sys.executable, "-c", PARENT, CHILD, str(tmp_path / "said")],
                              stdout=subprocess.PIPE, text=True)  # fmt: skip
    child = int(parent.stdout.readline())
    parent.kill()  # SIGKILL: no cleanup of its own
    parent.wait()
    deadline = time.monotonic() + 20
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(child)
    assert (tmp_path / "said").read_text() == "stopped"  # it stopped through its own handler


def _alive(pid: int) -> bool:
    """Running (a zombie left to a container's init counts as gone)."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            return "\tZ" not in next(line for line in fh if line.startswith("State:"))
    except FileNotFoundError:
        return False


def _children(pid: int) -> list[int]:
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as fh:
            found += [int(c) for c in fh.read().split()]
    return found


LONG = {**TINY, "train": {**TINY["train"], "steps": 3000, "checkpoints": 20, "threads": 2,
                          "overlap": True}}  # fmt: skip


def _start(tmp_path, *args) -> subprocess.Popen:
    (tmp_path / "long.yaml").write_text(yaml.safe_dump(LONG))
    return subprocess.Popen([sys.executable, "-m", "bumpdiff", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip


def _wait_for_checkpoint(proc, folder, step: int = 4) -> None:
    deadline = time.monotonic() + 120
    while not (folder / "checkpoints" / f"step-{step}.safetensors").exists():
        assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()
        time.sleep(0.2)


def _no_row_twice(folder) -> None:
    rows = [json.loads(line) for line in (folder / "metrics.jsonl").read_text().splitlines()]
    keys = Counter((r["event"], r["step"]) for r in rows if r["event"] in ("train", "checkpoint"))
    assert max(keys.values()) == 1, [k for k, n in keys.items() if n > 1]


def _stop_and_check(proc: subprocess.Popen, folder) -> None:
    """SIGTERM to ``proc``: it exits 130, every child it had is gone within 10 s, and nobody
    holds ``folder`` any more."""
    children = _children(proc.pid) if os.path.isdir("/proc") else []
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    deadline = time.monotonic() + 10
    while any(_alive(c) for c in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(c) for c in children)
    with claim(folder, "test"):  # refused if a process still held it
        pass


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads the process tree from /proc")
def test_sigterm_to_run_with_overlap_stops_every_process_and_resume_repeats_no_row(tmp_path):
    run = tmp_path / "run"
    proc = _start(tmp_path, "run", str(tmp_path / "long.yaml"), "--out", str(run))
    _wait_for_checkpoint(proc, run)
    assert _children(proc.pid)  # the training process of train.overlap
    _stop_and_check(proc, run)
    steps = sorted(int(p.stem.split("-")[1]) for p in (run / "checkpoints").glob("*.safetensors"))
    resumed = subprocess.run(
        [sys.executable, "-m", "bumpdiff", "run", str(tmp_path / "long.yaml"), "--out", str(run),
         "--resume", "--set", f"train.steps={max(steps) + 2}"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert resumed.returncode == 0, resumed.stderr
    _no_row_twice(run)


def test_sigterm_to_a_sweep_without_ray_stops_its_member_saved(tmp_path):
    sweep = tmp_path / "s.yaml"
    sweep.write_text(yaml.safe_dump({"base": "long.yaml", "seeds": [0], "cpus": 2}))
    proc = _start(tmp_path, "sweep", str(sweep), "--out", str(tmp_path / "runs"), "--no-ray")
    member = tmp_path / "runs" / "base-s0"
    _wait_for_checkpoint(proc, member)
    _stop_and_check(proc, member)
    assert '"event": "interrupted"' in (member / "metrics.jsonl").read_text()


SIDE_BY_SIDE = """
import json, sys
from bumpdiff.config import build_config
from bumpdiff.store.runfolder import RunFolder
from bumpdiff.training.side_by_side import train_side_by_side
from bumpdiff.training.stops import interrupt_on_stop_signals
interrupt_on_stop_signals()
tree, root = json.loads(sys.argv[1]), sys.argv[2]
members = [(f"seed {s}", build_config({**tree, "seed": s}), RunFolder(f"{root}/s{s}"))
           for s in range(3)]
try:
    train_side_by_side(members, lambda m: print(m, flush=True))
except KeyboardInterrupt:
    sys.exit(130)
"""


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads the process tree from /proc")
def test_sigterm_to_the_parent_alone_stops_every_member_trained_side_by_side(tmp_path):
    """Three members on two workers, SIGTERM to the parent only (not its process group, as
    ``kill PID`` sends it): both running members save where they are, the third never starts,
    and no process is left."""
    script = [sys.executable, "-c", SIDE_BY_SIDE, json.dumps(LONG), str(tmp_path)]
    proc = subprocess.Popen(script, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for seed in (0, 1):
        _wait_for_checkpoint(proc, tmp_path / f"s{seed}")
    _stop_and_check(proc, tmp_path / "s0")
    for seed in (0, 1):
        assert '"event": "interrupted"' in (tmp_path / f"s{seed}" / "metrics.jsonl").read_text()
        with claim(tmp_path / f"s{seed}", "test"):
            pass
    assert not (tmp_path / "s2" / "checkpoints").exists()
