import json

import pytest
import torch
import yaml
from conftest import tiny_config
from safetensors.torch import load_file

from bumpdiff.config import ConfigError
from bumpdiff.diffusion.network import init_model
from bumpdiff.diffusion.schedule import alphas_cumprod, diffusion_loss, sample
from bumpdiff.store.checkpoint import load_model
from bumpdiff.store.runfolder import RunFolder
from bumpdiff.training.loop import ProgressLines, checkpoint_schedule, train, training_data


def test_checkpoint_schedule_is_dense_early():
    steps = checkpoint_schedule(10000, 12, 10)
    assert steps[0] == 0 and steps[1] == 10 and steps[-1] == 10000
    gaps = [b - a for a, b in zip(steps[1:], steps[2:])]
    assert gaps == sorted(gaps)  # log-spaced: gaps grow
    assert checkpoint_schedule(5, 10, 10) == [0, 5]


def test_one_step_lowers_the_loss_on_a_fixed_batch(tiny):
    model = init_model(tiny)
    x_0, cond = training_data(tiny, torch.device("cpu"))
    abar = alphas_cumprod(tiny.diffusion)
    g = torch.Generator().manual_seed(0)
    t = torch.randint(50, (x_0.shape[0],), generator=g)
    eps = torch.randn(x_0.shape, generator=g)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    before = diffusion_loss(model, x_0, cond, t, eps, abar)
    opt.zero_grad()
    before.backward()
    opt.step()
    after = diffusion_loss(model, x_0, cond, t, eps, abar)
    assert after.item() < before.item()


def test_tiny_run_writes_the_run_folder(tmp_path, tiny):
    run = train(tiny, tmp_path / "run", progress=False)
    assert run.checkpoint_steps() == checkpoint_schedule(6, 3, 2) == [0, 2, 3, 6]
    cfg = yaml.safe_load(run.config_path.read_text())
    assert cfg["bumpdiff_version"] and cfg["seed"] == 0 and cfg["train"]["steps"] == 6
    assert cfg["probe"]["layer"] == "layer4"  # every default written out
    events = [json.loads(line)["event"] for line in run.metrics_path.read_text().splitlines()]
    assert events.count("checkpoint") == 4 and "train" in events
    tensors = load_file(str(run.checkpoint_path(6)))
    assert any(k.startswith("model.") for k in tensors) and "rng.train" in tensors
    assert any(k.startswith("optim.") for k in tensors)
    assert not list(run.checkpoints_dir.glob("*.tmp"))
    model, cfg2, step = load_model(run.checkpoint_path(6))
    assert step == 6 and cfg2 == tiny
    x = sample(model, torch.tensor([[3.0, 3.0]]), cfg2.diffusion, "dpmpp", 3)
    assert x.shape == (1, 1, 8, 8) and torch.isfinite(x).all()  # unclamped: as sampled


def test_training_without_a_bar_says_how_far_it_is_in_lines(tmp_path, tiny, capfd, monkeypatch):
    """Into a log file (no progress bar) training prints a line at most every
    ``ProgressLines.every`` seconds: none in a run shorter than that, one per logged step at 0."""
    train(tiny, tmp_path / "quiet", progress=False)
    assert "train quiet: step" not in capfd.readouterr().err
    monkeypatch.setattr(ProgressLines, "every", 0.0)
    train(tiny, tmp_path / "told", progress=False)
    lines = [line for line in capfd.readouterr().err.splitlines() if line.startswith("train told")]
    assert lines and lines[-1].startswith("train told: step 6/6 (100%), loss ")
    assert lines[-1].endswith("about 0 min left") and "step 3/6 (50%)" in lines[2]


def test_the_time_left_is_measured_at_this_processs_pace(capsys, monkeypatch):
    clock = iter([100.0, 160.0, 161.0, 400.0])  # began at 100 s; steps 10 … 20 of 40, resumed at 10
    monkeypatch.setattr("bumpdiff.training.loop.time.perf_counter", lambda: next(clock))
    lines = ProgressLines("run", start=10, total=40)
    lines.at(20, 0.5)  # 10 steps in 60 s: 20 steps left, 2 min
    lines.at(21, 0.5)  # a second later: under the minute, no line
    lines.at(30, 0.25)  # 20 steps in 300 s: 10 left, 150 s
    err = capsys.readouterr().err.splitlines()
    assert err == ["train run: step 20/40 (50%), loss 0.5000, about 2 min left",
                   "train run: step 30/40 (75%), loss 0.2500, about 2 min left"]  # fmt: skip


def _weights(run: RunFolder, step: int) -> dict:
    return load_file(str(run.checkpoint_path(step)))


@pytest.mark.parametrize(
    "conditioning", [[], ["model.conditioning=concat", "model.label_dropout=0.5"]]
)
def test_resume_after_a_stop_reproduces_the_uninterrupted_run(tmp_path, conditioning):
    cfg = tiny_config("train.steps=9", "train.ema=0.9", *conditioning)
    full = train(cfg, tmp_path / "full", progress=False)

    def stop_at_5(step):
        if step == 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train(cfg, tmp_path / "cut", progress=False, on_step=stop_at_5)
    cut = RunFolder(tmp_path / "cut")
    assert 5 in cut.checkpoint_steps() and 9 not in cut.checkpoint_steps()
    train(cfg, tmp_path / "cut", resume=True, progress=False)
    a, b = _weights(full, 9), _weights(cut, 9)
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key


def test_resume_from_a_scheduled_checkpoint_after_a_kill(tmp_path):
    """A killed process leaves only its scheduled checkpoints; resume continues bit for bit."""
    cfg = tiny_config("train.steps=9")
    full = train(cfg, tmp_path / "full", progress=False)
    killed = RunFolder(tmp_path / "kill")
    killed.checkpoints_dir.mkdir(parents=True)
    killed.config_path.write_bytes(full.config_path.read_bytes())
    for s in [s for s in full.checkpoint_steps() if s <= 4]:
        killed.checkpoint_path(s).write_bytes(full.checkpoint_path(s).read_bytes())
    train(cfg, killed.root, resume=True, progress=False)
    a, b = _weights(full, 9), _weights(killed, 9)
    for key in a:
        assert torch.equal(a[key], b[key]), key


def test_existing_run_is_not_overwritten(tmp_path, tiny):
    run = train(tiny, tmp_path / "run", progress=False)
    before = run.checkpoint_path(6).read_bytes()
    with pytest.raises(ConfigError, match="out: .* already holds checkpoints"):
        train(tiny, tmp_path / "run", progress=False)
    with pytest.raises(
        ConfigError, match=r"train.lr: differs .* keep the run's value \(train.lr=0.001\) or"
    ):
        train(tiny_config("train.lr=0.01"), tmp_path / "run", resume=True, progress=False)
    assert run.checkpoint_path(6).read_bytes() == before


def test_fixed_seed_training_is_identical(tmp_path, tiny):
    a = train(tiny, tmp_path / "a", progress=False)
    b = train(tiny, tmp_path / "b", progress=False)
    wa, wb = _weights(a, 6), _weights(b, 6)
    assert all(torch.equal(wa[k], wb[k]) for k in wa)
    c = train(tiny_config("seed=1"), tmp_path / "c", progress=False)
    wc = _weights(c, 6)
    assert not all(torch.equal(wa[k], wc[k]) for k in wa if k.startswith("model."))
