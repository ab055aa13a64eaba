"""The typed run folder: rows round-trip through their models, bad rows are named, paths kept."""

import json
import math

import pytest

from bumpdiff.config import ConfigError
from bumpdiff.store.records import EvalRow, TrainRow
from bumpdiff.store.runfolder import RunFolder


def _eval(step: int, **kw) -> EvalRow:
    fields = dict(
        step=step,
        sampler="ddpm",
        sampler_steps=100,
        seconds=1.0,
        n=4,
        frac_none=0.25,
        frac_multiple=0.25,
        frac_mislocated=0.25,
        frac_correct=0.25,
        accuracy=0.25,
        x_accuracy=0.5,
        y_accuracy=0.5,
        mean_error=math.nan,
        median_error=math.nan,
    )
    return EvalRow(**{**fields, **kw})


def test_rows_round_trip_and_the_latest_row_of_a_step_counts(tmp_path):
    run = RunFolder(tmp_path)
    run.log(TrainRow(step=1, loss=0.5, seconds=0.1))
    run.log(_eval(3))
    run.log(_eval(3, accuracy=0.75))
    rows = run.read_metrics()
    assert [r.event for r in rows] == ["train", "eval", "eval"]
    assert math.isnan(rows[1].mean_error)  # NaN survives as NaN
    assert run.latest_by_step("eval")[3].accuracy == 0.75
    assert run.read_metrics("train") == [TrainRow(step=1, loss=0.5, seconds=0.1)]


def test_a_row_that_breaks_the_contract_is_named_with_its_line(tmp_path):
    run = RunFolder(tmp_path)
    run.log(_eval(3))
    with open(run.metrics_path, "a") as fh:
        fh.write(json.dumps({"event": "eval", "step": 4, "accuracy": 0.5}) + "\n")
    with pytest.raises(ConfigError, match=r"metrics.jsonl line 2: .*Field required"):
        run.read_metrics("eval")
    with pytest.raises(Exception, match="extra"):
        TrainRow(step=1, loss=0.5, seconds=0.1, lr=3)  # an undeclared field is refused


def test_paths_and_config(tmp_path, tiny):
    run = RunFolder(tmp_path / "r")
    assert not run.exists()
    with pytest.raises(ConfigError, match="not a bumpdiff run folder"):
        run.read_config()
    run.write_config(tiny)
    assert run.read_config() == tiny
    changed = run.read_config(["sample.steps=3"])
    assert changed.sample.steps == 3 and run.read_config() == tiny  # overrides are not written
    assert run.free_samples_path(6).name == "6-1.npz"  # never the evaluation's 6.npz
    run.samples_path(6).parent.mkdir()
    run.samples_path(6).with_name("6-1.npz").write_bytes(b"x")
    assert run.free_samples_path(6).name == "6-2.npz"
    assert run.subrun("model").root == run.root / "model"
    assert run.figure_path("order") == run.root / "figures" / "order.png"


def test_leftovers_of_dead_writers_are_removed_and_a_live_writers_kept(tmp_path):
    import os
    import subprocess
    import sys

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()  # fmt: skip
    run = RunFolder(tmp_path)
    (tmp_path / "figures").mkdir()
    left = [tmp_path / f".report.html.{dead}.x1.tmp", tmp_path / "figures" / ".a.png.zz.tmp"]
    live = tmp_path / f".phases.json.{os.getpid()}.x2.tmp"  # this process: still writing
    for path in [*left, live]:
        path.write_text("partial")
    assert sorted(run.remove_orphans()) == sorted(left)
    assert live.exists() and not any(p.exists() for p in left)


def test_a_write_that_fails_without_a_file_name_names_its_file(tmp_path, monkeypatch):
    import errno
    import os

    from bumpdiff.store.runfolder import atomic_write_bytes

    def full(*args):
        raise OSError(errno.ENOSPC, "No space left on device")  # as write() raises it: no file

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError) as err:
        atomic_write_bytes(tmp_path / "phases.json", b"{}")
    assert err.value.filename == str(tmp_path / "phases.json") and err.value.errno == errno.ENOSPC
    assert list(tmp_path.iterdir()) == []  # no temporary file left either
