"""Running sweeps: finished members are skipped, interrupted ones resumed, a failing member is
retried and then reported (never dropped), and a real tiny sweep on a local Ray instance."""

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from conftest import TINY

from bumpdiff.sweep import runner
from bumpdiff.sweep.spec import load_sweep


@pytest.fixture
def sweep_file(tmp_path):
    (tmp_path / "tiny.yaml").write_text(yaml.safe_dump(TINY))
    path = tmp_path / "two.yaml"
    path.write_text(yaml.safe_dump({"base": "tiny.yaml", "seeds": [0, 1], "retries": 1, "cpus": 1}))
    return path


@pytest.fixture(scope="module")
def _finished(tmp_path_factory):
    """The two-member sweep run to the end once for the module: its folder and its log."""
    folder = tmp_path_factory.mktemp("finished-sweep")
    (folder / "tiny.yaml").write_text(yaml.safe_dump(TINY))
    (folder / "two.yaml").write_text(
        yaml.safe_dump({"base": "tiny.yaml", "seeds": [0, 1], "retries": 1, "cpus": 1})
    )
    spec, base, members = load_sweep(folder / "two.yaml")
    log: list[str] = []
    runner.run_sweep(spec, base, members, folder / "runs", log.append, use_ray=False)
    return folder, log


@pytest.fixture
def finished(_finished, tmp_path):
    """A test's own copy of the finished sweep (files' times kept: a report stays newer than its
    config); returns its sweep file and the first run's log."""
    folder, log = _finished
    shutil.copytree(folder, tmp_path, dirs_exist_ok=True)
    return tmp_path / "two.yaml", list(log)


def _train_rows(run_dir) -> int:
    lines = (run_dir / "metrics.jsonl").read_text().splitlines()
    return sum('"event": "train"' in line or '"event":"train"' in line for line in lines)


def test_finished_members_are_skipped_and_interrupted_ones_resume(finished, tmp_path):
    sweep_file, log = finished
    spec, base, members = load_sweep(sweep_file)
    root = tmp_path / "runs"
    status = runner.read_status(root)
    assert {e["status"] for e in status.values()} == {"done"} and len(status) == 2
    assert "one after another" in " ".join(log)
    first = members[0].name
    before = (root / first / "metrics.jsonl").read_text()
    # again: nothing to do
    log.clear()
    runner.run_sweep(spec, base, members, root, log.append, use_ray=False)
    assert log[0].startswith("2 of 2 members finished before")
    assert (root / first / "metrics.jsonl").read_text() == before
    # as if killed after training, before the report: the member resumes, training not redone
    status = json.loads((root / runner.STATUS).read_text())
    del status[first]
    (root / runner.STATUS).write_text(json.dumps(status))
    (root / first / "report.html").unlink()
    trained = _train_rows(root / first)
    runner.run_sweep(spec, base, members, root, log.append, use_ray=False)
    assert (root / first / "report.html").is_file()
    assert _train_rows(root / first) == trained


def _finished_then_sampler_changed(sweep_file):
    """Every member of the sweep finished, then the base preset's sampler steps changed (as
    when the presets moved to DDPM-250); returns the sweep loaded again."""
    tiny = yaml.safe_load((sweep_file.parent / "tiny.yaml").read_text())
    tiny["sample"]["steps"] = 3
    (sweep_file.parent / "tiny.yaml").write_text(yaml.safe_dump(tiny))
    return load_sweep(sweep_file)


def test_a_member_analysed_with_other_settings_is_analysed_again_not_retrained(finished, tmp_path):
    """The base preset's evaluation sampler changed after the members finished: they are run
    again, their evaluations redone with the new sampler, their training kept."""
    root = tmp_path / "runs"
    spec, base, members = _finished_then_sampler_changed(finished[0])
    trained = _train_rows(root / members[0].name)
    log: list[str] = []
    runner.run_sweep(spec, base, members, root, log.append, use_ray=False)
    assert log[0].startswith("0 of 2 members finished before")
    lines = (root / members[0].name / "metrics.jsonl").read_text().splitlines()
    evals = [json.loads(line) for line in lines if '"eval"' in line]
    assert {e["sampler_steps"] for e in evals} == {4, 3}  # the old rows stay, new ones added
    assert _train_rows(root / members[0].name) == trained


def test_a_member_asked_for_more_steps_continues_its_training(finished, tmp_path):
    """The base preset's train.steps grew after the members finished: each member is taken up
    again and trained on from its last checkpoint to the new length, its first steps kept."""
    root = tmp_path / "runs"
    spec, base, members = load_sweep(finished[0])
    first = root / members[0].name
    before = (first / "metrics.jsonl").read_text()
    tiny = yaml.safe_load(base.read_text())
    tiny["train"]["steps"] = 9
    base.write_text(yaml.safe_dump(tiny))
    log: list[str] = []
    runner.run_sweep(spec, base, members, root, log.append, use_ray=False)
    assert log[0].startswith("0 of 2 members finished before")
    after = (first / "metrics.jsonl").read_text()
    assert after.startswith(before.split('"event": "checkpoint", "step": 6')[0])
    steps = [json.loads(x)["step"] for x in after.splitlines() if '"event": "train"' in x]
    assert max(steps) == 9 and (first / "checkpoints" / "step-9.safetensors").is_file()


def test_a_member_whose_training_changed_is_refused_not_taken_for_done(finished, tmp_path):
    """The base preset's learning rate changed after the members finished: the old models are
    not the new preset's, so each member runs again and the resume rule refuses it in one line
    (reported as failed, nothing of the finished run lost); a compute setting alone
    (train.threads) changes nothing."""
    root = tmp_path / "runs"
    spec, base, members = load_sweep(finished[0])
    tiny = yaml.safe_load(base.read_text())
    tiny["train"]["threads"] = 1
    base.write_text(yaml.safe_dump(tiny))
    status = runner.read_status(root)
    assert all(runner.is_done(root, m, status, base) for m in members)
    tiny["train"]["lr"] = tiny["train"]["lr"] * 2
    base.write_text(yaml.safe_dump(tiny))
    assert not any(runner.is_done(root, m, status, base) for m in members)
    report = (root / members[0].name / "report.html").read_bytes()
    log: list[str] = []
    runner.run_sweep(spec, base, members, root, log.append, use_ray=False)
    assert log[0].startswith("0 of 2 members finished before")
    failed = [line for line in log if ": failed (" in line]
    assert len(failed) == 2 and all("train.lr: differs from the run being resumed" in f
                                    for f in failed)  # fmt: skip
    assert (root / members[0].name / "report.html").read_bytes() == report


def test_an_interrupted_re_analysis_is_not_taken_for_finished(finished, tmp_path, monkeypatch):
    """The member's config.yaml is rewritten when its re-run starts; stopped there, the member
    is still to run (it was taken for done before), and its analysis is redone next time."""
    root = tmp_path / "runs"
    spec, base, members = _finished_then_sampler_changed(finished[0])

    def stopped(base_, member, root_):  # writes the new config, then the stop comes
        (Path(root_) / member.name / "config.yaml").write_text(
            yaml.safe_dump(runner.member_config(Path(base_), member).model_dump(mode="json"))
        )
        raise KeyboardInterrupt

    with monkeypatch.context() as patch, pytest.raises(KeyboardInterrupt):
        patch.setattr(runner.run_in_turn, "__defaults__", (stopped,))
        runner.run_sweep(spec, base, members, root, lambda _m: None, use_ray=False)
    log: list[str] = []
    runner.run_sweep(spec, base, members, root, log.append, use_ray=False)
    assert log[0].startswith("0 of 2 members finished before")
    # a sweep.json from before that rule still says "done": the config newer than the report
    # tells that the last run of the member did not end
    (root / members[0].name / "config.yaml").touch()
    assert not runner.is_done(root, members[0], runner.read_status(root), base)
    assert runner.is_done(root, members[1], runner.read_status(root), base)


def test_a_failing_member_is_retried_then_reported_and_the_rest_run(sweep_file, tmp_path):
    spec, base, members = load_sweep(sweep_file)
    calls = []

    def flaky(base_path, member, root, threads=None):
        calls.append(member.name)
        if member.name.endswith("-s0"):
            raise RuntimeError("diverged at step 3")
        return {"status": "done", "seconds": 0.0, "summary": "ok"}

    log = []
    runner.run_in_turn(spec, base, members, tmp_path, log.append, run=flaky)
    status = runner.read_status(tmp_path)
    failed = status[members[0].name]
    assert failed["status"] == "failed" and failed["attempts"] == spec.retries + 1
    assert failed["error"] == "RuntimeError: diverged at step 3"
    assert status[members[1].name]["status"] == "done"
    assert calls.count(members[0].name) == spec.retries + 1
    assert any("failed (RuntimeError: diverged at step 3)" in line for line in log)


@pytest.mark.skipif(not runner.ray_available(), reason="Ray is an optional extra")
def test_a_tiny_sweep_on_a_local_ray_instance(sweep_file, tmp_path):
    spec, base, members = load_sweep(sweep_file)
    root = tmp_path / "runs"
    root.mkdir()
    (root / members[1].name).write_text("a file where the member's folder should be")
    log = []
    status = runner.run_sweep(spec, base, members, root, log.append, workers=2, use_ray=True)
    assert status[members[0].name]["status"] == "done"
    assert (root / members[0].name / "phases.json").is_file()
    failed = status[members[1].name]
    assert failed["status"] == "failed" and "is a file, not a folder" in failed["error"]
    assert failed["attempts"] == spec.retries + 1


@pytest.mark.skipif(not runner.ray_available(), reason="Ray is an optional extra")
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_stop_ends_a_ray_sweep_with_its_members_saved_where_they_were(tmp_path, stop):
    """SIGINT or SIGTERM to ``bumpdiff sweep``: the command ends with 130, each running member
    gets the interrupt, on which its training saves where it stopped (logged as "interrupted"),
    and no process is left writing the member's folder (its lock is free)."""
    from bumpdiff.store.lock import claim

    tiny = {**TINY, "train": {**TINY["train"], "steps": 100_000, "overlap": False}}
    (tmp_path / "tiny.yaml").write_text(yaml.safe_dump(tiny))
    sweep = tmp_path / "long.yaml"
    sweep.write_text(yaml.safe_dump({"base": "tiny.yaml", "seeds": [0], "cpus": 1}))
    root = tmp_path / "runs"
    proc = subprocess.Popen(
        [sys.executable, "-m", "bumpdiff", "sweep", str(sweep), "--out", str(root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as in a terminal
    )
    member = root / "base-s0"
    deadline = time.monotonic() + 300  # Ray's start took over 120 s beside a 2-thread training
    while not list(member.glob("checkpoints/step-2.safetensors")):
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()  # first: reading a running sweep's output would wait for its end
            pytest.fail(proc.communicate()[0].decode())
        time.sleep(0.5)
    proc.send_signal(stop)
    out = proc.communicate(timeout=120)[0].decode()
    assert proc.returncode == 130, out
    assert "interrupted: stopping 1 member(s)" in out
    assert '"event": "interrupted"' in (member / "metrics.jsonl").read_text()
    with claim(member, "test"):  # refused if a worker still held the member
        pass


def test_a_stop_a_library_turned_into_an_error_stops_the_sweep_not_the_member(sweep_file, tmp_path):
    """A SIGTERM that came out of a library as another error is not a member's failure: the
    sweep stops (no retry, no member marked failed) and the member is run again next time."""
    spec, base, members = load_sweep(sweep_file)
    root, calls = tmp_path / "runs", []

    def swallowed(_base, member, _root):
        calls.append(member.name)
        try:
            signal.raise_signal(signal.SIGTERM)
        except KeyboardInterrupt:
            raise RuntimeError("could not determine the shape of object type") from None

    previous = signal.signal(signal.SIGTERM, signal.getsignal(signal.SIGTERM))
    try:
        runner.interrupt_on_stop_signals()
        with pytest.raises(KeyboardInterrupt):
            runner.run_in_turn(spec, base, members, root, lambda _m: None, run=swallowed)
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, signal.default_int_handler)
    assert calls == [members[0].name]
    assert runner.read_status(root) == {}
