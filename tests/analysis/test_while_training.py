"""Training in a second process while the checkpoints are analysed (train.overlap)."""

import numpy as np
import pytest
from conftest import tiny_config
from safetensors.numpy import load_file

from bumpdiff.analysis.while_training import (
    _train_and_analyse,
    analyse_next,
    checkpoint_claim,
    train_while_analysing,
    warm_up,
)
from bumpdiff.config import ConfigError
from bumpdiff.experiments import run_experiment
from bumpdiff.store.runfolder import RunFolder
from bumpdiff.training.side_by_side import _train_one


def _weights(run: RunFolder, step: int) -> dict:
    return load_file(str(run.checkpoint_path(step)))


def test_an_overlapped_run_trains_and_analyses_what_a_sequential_one_does(tmp_path):
    """Training on 1 of 2 threads in a second process gives the weights of a 1-thread sequential
    run bit for bit, and every checkpoint gets the same evaluation and probe rows."""
    logs: list[str] = []
    over = tiny_config("train.overlap=true", "train.threads=2")
    run_experiment(over, tmp_path / "over", False, logs.append, progress=False)
    plain = tiny_config("train.threads=1")
    run_experiment(plain, tmp_path / "plain", False, lambda _m: None, progress=False)
    a, b = RunFolder(tmp_path / "over"), RunFolder(tmp_path / "plain")
    assert a.checkpoint_steps() == b.checkpoint_steps() == [0, 2, 3, 6]
    for step in a.checkpoint_steps():
        wa, wb = _weights(a, step), _weights(b, step)
        assert all(np.array_equal(wa[k], wb[k]) for k in wb)
    for part in ("eval", "probe"):
        ra, rb = a.latest_by_step(part), b.latest_by_step(part)
        assert sorted(ra) == sorted(rb) == [0, 2, 3, 6]
        assert [ra[s].accuracy if part == "eval" else ra[s].phase for s in ra] == [
            rb[s].accuracy if part == "eval" else rb[s].phase for s in ra
        ]
    assert any("second process" in line for line in logs)
    evals = [r.step for r in a.read_metrics("eval")]
    assert sorted(evals) == [0, 2, 3, 6]  # each checkpoint analysed once, by one process
    assert a.read_config() == over  # the training process's thread count is not written


def test_a_failing_training_process_is_reported_not_hidden(tmp_path):
    """A config the training refuses (here: another learning rate than the run being resumed)
    comes back from the second process as the same one-line ConfigError."""
    run = RunFolder(tmp_path / "run")
    short = tiny_config("train.threads=1", "train.steps=4")
    run_experiment(short, run.root, False, lambda _m: None, progress=False)
    other = tiny_config("train.overlap=true", "train.threads=2", "train.lr=0.002")
    with pytest.raises(ConfigError, match="train.lr: differs from the run being resumed"):
        train_while_analysing(other, run, lambda _m: None)
    assert run.checkpoint_steps()[-1] == 4  # nothing trained on top of it


def test_a_claimed_checkpoint_is_left_to_its_holder_and_the_others_are_taken_from_each_end(
    tmp_path,
):
    cfg = tiny_config("train.threads=1")
    run = RunFolder(tmp_path / "run")
    _train_one(cfg.model_dump(mode="json"), str(run.root), 1)  # trained, nothing analysed
    logs: list[str] = []
    with checkpoint_claim(run, 6) as mine, checkpoint_claim(run, 6) as again:
        assert mine and not again  # a second claim (another open file) is refused
        assert analyse_next(run, cfg, logs.append, last_first=True)
        assert sorted(run.latest_by_step("eval")) == [3]  # 6 is held: the next from the end
    assert analyse_next(run, cfg, logs.append)
    assert sorted(run.latest_by_step("probe")) == [0, 3]  # from the start
    assert "step 0" in logs[-1]


def test_the_training_process_analyses_from_the_last_checkpoint_back(tmp_path, capsys):
    cfg = tiny_config("train.threads=1")
    run = RunFolder(tmp_path / "run")
    _train_and_analyse(cfg.model_dump(mode="json"), str(run.root), 1)
    assert [r.step for r in run.read_metrics("eval")] == [6, 3, 2, 0]
    assert not analyse_next(run, cfg, print)  # nothing left
    assert "(training process) [4 saved] step 6" in capsys.readouterr().err


def test_the_warm_up_leaves_the_process_as_the_analysis_sets_it():
    """It runs in the analysing process before its first checkpoint: the global random
    streams untouched (the analysis seeds its own, but a caller's must not move), the process
    on the analysis's threads."""
    import torch

    cfg = tiny_config("train.threads=1")
    torch_state, numpy_state = torch.get_rng_state(), np.random.get_state()
    warm_up(cfg)
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert all(
        np.array_equal(a, b) for a, b in zip(np.random.get_state(), numpy_state, strict=True)
    )
    assert torch.get_num_threads() == 1
