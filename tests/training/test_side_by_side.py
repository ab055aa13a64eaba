"""Several models trained at once, one thread each (train.overlap), and the thread split."""

import multiprocessing as mp
import time

import numpy as np
import pytest
from conftest import tiny_config
from safetensors.numpy import load_file

from bumpdiff.config import ConfigError
from bumpdiff.store.records import TrainRow
from bumpdiff.store.runfolder import RunFolder
from bumpdiff.training.side_by_side import (
    can_overlap,
    split_threads,
    train_side_by_side,
)


@pytest.mark.parametrize(("threads", "split"), [(2, (1, 1)), (3, (2, 1)), (8, (4, 4))])
def test_threads_are_split_with_training_taking_the_larger_half(threads, split):
    assert split_threads(tiny_config(f"train.threads={threads}")) == split


def test_overlap_says_why_it_cannot_run():
    assert "off" in can_overlap(tiny_config("train.threads=2"))
    assert "one CPU thread" in can_overlap(tiny_config("train.overlap=true", "train.threads=1"))
    assert can_overlap(tiny_config("train.overlap=true", "train.threads=2")) is None


def _weights(run: RunFolder, step: int) -> dict:
    return load_file(str(run.checkpoint_path(step)))


def _append_rows(root: str, start: int) -> None:
    run = RunFolder(root)
    for i in range(200):
        run.log(TrainRow(step=start + i, loss=0.5, seconds=float(i)))


def test_two_processes_appending_to_metrics_lose_no_row(tmp_path):
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_append_rows, args=(str(tmp_path), k * 1000)) for k in (1, 2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    steps = sorted(r.step for r in RunFolder(tmp_path).read_metrics("train"))
    assert steps == [*range(1000, 1200), *range(2000, 2200)]


def test_models_trained_side_by_side_are_those_trained_one_after_another(tmp_path):
    from bumpdiff.training.loop import train

    cfgs = [tiny_config("train.overlap=true", "train.threads=2", f"seed={s}") for s in (0, 1, 2)]
    members = [(f"seed {c.seed}", c, RunFolder(tmp_path / f"s{c.seed}")) for c in cfgs]
    logs: list[str] = []
    train_side_by_side(members, logs.append)
    assert "3 models 2 at a time" in logs[0] and len(logs) == 4
    for _, cfg, run in members:
        alone = train(cfg, tmp_path / f"alone{cfg.seed}", progress=False, threads=1)
        wa, wb = _weights(run, 6), _weights(alone, 6)
        assert all(np.array_equal(wa[k], wb[k]) for k in wb)
    train_side_by_side(members, logs.append)  # all finished: nothing to do, nothing said
    assert len(logs) == 4
    other = tiny_config("train.overlap=true", "train.threads=2", "train.lr=0.002", "train.steps=8")
    with pytest.raises(ConfigError, match="train.lr: differs"):
        train_side_by_side([("changed", other, members[0][2])], logs.append)


def test_a_members_error_stops_the_others_and_is_raised(tmp_path):
    """One member refuses to start (its folder holds another training); the long member beside
    it is stopped at once instead of training to its end, and the error is raised here."""
    side = ("train.overlap=true", "train.threads=2")
    train_side_by_side([("first", tiny_config(*side), RunFolder(tmp_path / "a"))], lambda _m: None)
    changed = tiny_config(*side, "train.lr=0.002", "train.steps=8")  # not trained: resumed, refused
    long = tiny_config(*side, "train.steps=100000", "seed=1")
    members = [("changed", changed, RunFolder(tmp_path / "a")),
               ("long", long, RunFolder(tmp_path / "b"))]  # fmt: skip
    start = time.monotonic()
    with pytest.raises(ConfigError, match="train.lr: differs"):
        train_side_by_side(members, lambda _m: None)
    assert time.monotonic() - start < 120  # 100000 steps would take many minutes
    assert mp.active_children() == []
