"""Fault injection: kills at random points, SIGTERM, a corrupt checkpoint byte, a torn metrics
line and a NaN in the loss. After each, the run resumes to the same final state as a run that was
never disturbed, compared by content (checkpoint.content_digest)."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import yaml
from conftest import TINY, tiny_config

import bumpdiff.training.loop as train_module
from bumpdiff.config import ConfigError
from bumpdiff.store.checkpoint import content_digest, load_model
from bumpdiff.store.runfolder import RunFolder
from bumpdiff.training.loop import TrainingDiverged, train

STEPS = 40  # long enough to be killed in the middle (about 2 s of tiny training)
LONG = {**TINY, "train": {**TINY["train"], "steps": STEPS, "checkpoints": 6}}


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The undisturbed run's final checkpoint digest."""
    cfg = tiny_config(f"train.steps={STEPS}", "train.checkpoints=6")
    run = train(cfg, tmp_path_factory.mktemp("ref") / "run", progress=False)
    return content_digest(run.checkpoint_path(STEPS))


def _start(tmp_path, out, *extra):
    path = tmp_path / "long.yaml"
    path.write_text(yaml.safe_dump(LONG))
    cmd = [sys.executable, "-m", "bumpdiff", "train", str(path), "--out", str(out), *extra]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _finish(tmp_path, out) -> RunFolder:
    proc = _start(tmp_path, out, "--resume")
    assert proc.wait(timeout=300) == 0, proc.stderr.read().decode()[-2000:]
    return RunFolder(out)


def _wait_for_checkpoint(out, timeout=120.0) -> None:
    deadline = time.time() + timeout
    while not list((out / "checkpoints").glob("step-*.safetensors")):
        assert time.time() < deadline, "no checkpoint appeared"
        time.sleep(0.02)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_kill_at_a_random_point_resumes_to_the_same_weights(tmp_path, reference, seed):
    out = tmp_path / "run"
    proc = _start(tmp_path, out)
    _wait_for_checkpoint(out)
    time.sleep(np.random.default_rng(seed).uniform(0.0, 1.5))
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    run = _finish(tmp_path, out)
    assert content_digest(run.checkpoint_path(STEPS)) == reference
    assert not list(out.rglob(".*.tmp"))  # orphans of a killed write are gone
    rows = [json.loads(line) for line in run.metrics_path.read_text().splitlines()]
    train_steps = [r["step"] for r in rows if r["event"] == "train"]
    assert train_steps == sorted(set(train_steps))  # no row twice after the resume


def test_sigterm_finishes_the_step_saves_it_and_resumes_exactly(tmp_path, reference):
    out = tmp_path / "run"
    proc = _start(tmp_path, out)
    _wait_for_checkpoint(out)
    time.sleep(0.3)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 130
    run = RunFolder(out)
    stopped = [r.step for r in run.read_metrics("interrupted")]
    assert stopped and run.checkpoint_steps()[-1] == stopped[-1]  # the last step was kept
    run = _finish(tmp_path, out)
    assert content_digest(run.checkpoint_path(STEPS)) == reference


def test_a_corrupt_checkpoint_is_refused_and_resume_falls_back(tmp_path, reference):
    cfg = tiny_config(f"train.steps={STEPS}", "train.checkpoints=6")
    stopped = cfg.model_copy(update={"train": cfg.train.model_copy(update={"steps": 20})})
    run = train(stopped, tmp_path / "run", progress=False)
    latest = run.checkpoint_path(run.checkpoint_steps()[-1])
    data = bytearray(latest.read_bytes())
    data[-4096:-4000] = bytes(96)  # weight bytes zeroed near the end of the file
    latest.write_bytes(bytes(data))
    with pytest.raises(ConfigError, match=r"step-20.safetensors is corrupt \(its tensors"):
        load_model(latest)
    said = []
    train(cfg, run.root, resume=True, progress=False, log=said.append)
    assert "set aside" in said[0] and (latest.parent / "step-20.safetensors.corrupt").is_file()
    assert content_digest(run.checkpoint_path(STEPS)) == reference


def test_a_torn_metrics_line_is_reported_then_repaired(tmp_path, tiny):
    run = train(tiny, tmp_path / "run", progress=False)
    with open(run.metrics_path, "a") as fh:
        fh.write('{"event": "train", "step": 7, "lo')  # a write cut by a crash
    rows = run.read_metrics()
    assert run.torn_line == len(run.metrics_path.read_text().splitlines()) and rows
    from bumpdiff.analysis.pipeline import analyse_pending
    from bumpdiff.experiments import report_run

    analyse_pending(run, tiny)
    with open(run.metrics_path, "a") as fh:
        fh.write('{"event": "probe", "st')  # cut again, after the analysis
    assert "was cut by a crash" in report_run(RunFolder(run.root))[0]
    longer = tiny_config("train.steps=8")
    train(longer, run.root, resume=True, progress=False)
    lines = run.metrics_path.read_text().splitlines()
    assert all(json.loads(line) for line in lines)  # every line whole again


def test_a_nan_loss_stops_training_and_keeps_the_last_good_checkpoint(tmp_path, tiny, monkeypatch):
    real = train_module.diffusion_loss
    calls = []

    def poisoned(*args):
        calls.append(1)
        loss = real(*args)
        return loss * float("nan") if len(calls) >= 4 else loss

    monkeypatch.setattr(train_module, "diffusion_loss", poisoned)
    with pytest.raises(TrainingDiverged, match=r"train.lr: .*last good checkpoint is step 3"):
        train(tiny, tmp_path / "run", progress=False)
    run = RunFolder(tmp_path / "run")
    assert run.checkpoint_steps() == [0, 2, 3]  # nothing non-finite was written
    for line in run.metrics_path.read_text().splitlines():  # strict JSON: no bare NaN
        json.loads(line, parse_constant=lambda c: pytest.fail(f"non-strict JSON {c}"))


def test_non_finite_weights_are_refused_for_analysis(tmp_path, tiny):
    import torch
    from safetensors.torch import load_file, save_file

    run = train(tiny, tmp_path / "run", progress=False)
    path = run.checkpoint_path(6)
    from safetensors import safe_open

    with safe_open(str(path), "pt") as fh:
        meta = dict(fh.metadata())
    tensors = load_file(str(path))
    name = next(k for k in tensors if k.startswith("model.") and k.endswith("weight"))
    tensors[name] = tensors[name] * torch.tensor(float("nan"))
    del meta["tensors_sha256"]  # as a diverged run would have written them: consistent, not finite
    save_file(tensors, str(path), metadata=meta)
    with pytest.raises(ConfigError, match="non-finite weights"):
        load_model(path)
    assert os.path.isfile(path)


def test_a_resume_after_a_full_disk_at_the_first_checkpoint_repeats_no_row(tmp_path, monkeypatch):
    real = train_module.save_checkpoint

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(train_module, "save_checkpoint", full)
    with pytest.raises(OSError):
        train(tiny_config(), tmp_path / "run", progress=False)
    monkeypatch.setattr(train_module, "save_checkpoint", real)
    run = train(tiny_config(), tmp_path / "run", resume=True, progress=False)
    rows = [json.loads(line) for line in run.metrics_path.read_text().splitlines()]
    events = [(r["event"], r.get("step")) for r in rows]
    assert sum(e == "start" for e, _ in events) == 1
    checkpoints = [s for e, s in events if e == "checkpoint"]
    assert len(checkpoints) == len(set(checkpoints)) and checkpoints[0] == 0
