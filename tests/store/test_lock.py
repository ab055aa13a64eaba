"""One writer per run folder: a second writer is refused at once naming the holder and changes
nothing; a lock left by a killed process is taken over and said; the holder may claim again and
the processes it starts inherit its claim; the lock goes with its holder however it ends."""

import hashlib
import os
import signal
import subprocess
import sys
import textwrap

import pytest
from conftest import tiny_config
from typer.testing import CliRunner

from bumpdiff.cli import app
from bumpdiff.config import ConfigError
from bumpdiff.store.lock import ENV, LOCK_NAME, claim, holder

HOLD = textwrap.dedent("""
    import sys, time
    from bumpdiff.store.lock import claim
    with claim(sys.argv[1], "test holder"):
        print("ready", flush=True)
        time.sleep(60)
""")


def _holder(path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != ENV}
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE,
                            text=True, env=env)  # fmt: skip
    assert proc.stdout.readline().strip() == "ready"
    return proc


def _digest(folder) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}  # fmt: skip


def test_a_second_writer_is_refused_naming_the_holder_and_changes_nothing(tmp_path):
    (tmp_path / "run").mkdir()
    proc = _holder(tmp_path / "run")
    try:
        before = _digest(tmp_path / "run")
        cfg = tmp_path / "c.yaml"
        cfg.write_text("experiment: phases\n")
        out = CliRunner().invoke(app, ["train", str(cfg), "--out", str(tmp_path / "run")])
        assert out.exit_code == 2
        assert f"PID {proc.pid} (test holder" in out.output and "Traceback" not in out.output
        assert _digest(tmp_path / "run") == before
    finally:
        proc.kill()
        proc.wait()


def test_a_lock_left_by_a_killed_process_is_taken_over_and_said(tmp_path):
    proc = _holder(tmp_path / "run")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert holder(tmp_path / "run")["pid"] == proc.pid  # the file stays, the lock does not
    said = []
    with claim(tmp_path / "run", "second", said.append):
        assert holder(tmp_path / "run")["command"] == "second"
    assert len(said) == 1 and f"PID {proc.pid}" in said[0] and "taken over" in said[0]
    assert not (tmp_path / "run" / LOCK_NAME).exists()  # released: the file goes too


def test_the_holder_claims_again_and_its_children_inherit_the_claim(tmp_path):
    with claim(tmp_path / "run", "outer"):
        with claim(tmp_path / "run", "inner"):  # nested: no deadlock
            assert holder(tmp_path / "run")["command"] == "outer"
        child = subprocess.run(
            [sys.executable, "-c", HOLD.replace("time.sleep(60)", "pass"), str(tmp_path / "run")],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert child.returncode == 0 and "ready" in child.stdout
        assert (tmp_path / "run" / LOCK_NAME).exists()  # the child's claim left the parent's
    assert ENV not in os.environ or str(tmp_path) not in os.environ[ENV]


def test_another_process_cannot_claim_while_held_and_can_after(tmp_path):
    proc = _holder(tmp_path / "run")
    with pytest.raises(ConfigError, match="being written by"):
        with claim(tmp_path / "run", "second"):
            pass
    proc.terminate()
    proc.wait()
    with claim(tmp_path / "run", "third"):
        pass


def test_a_report_is_not_a_writer_and_runs_beside_one(tmp_path):
    from bumpdiff.experiments import run_experiment

    run_experiment(tiny_config(), tmp_path / "r", False, print, progress=False)
    proc = _holder(tmp_path / "r")
    try:
        out = CliRunner().invoke(app, ["report", str(tmp_path / "r")])
        assert out.exit_code == 0, out.output
    finally:
        proc.kill()
        proc.wait()
