"""Live curves: a run mirrors its rows into TensorBoard event files that TensorBoard reads back
(loss, outcome fractions, probe metrics, a grid of generated images per checkpoint); without the
package nothing is written."""

import numpy as np
import pytest
from conftest import tiny_config

import bumpdiff.store.tensorboard as tb
from bumpdiff.experiments import run_experiment

pytest.importorskip("tensorboard", reason="the tensorboard extra is not installed")


def _events(folder):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    acc = EventAccumulator(str(folder), size_guidance={"scalars": 0, "images": 0})
    acc.Reload()
    return acc


def test_a_run_writes_event_files_tensorboard_reads(tmp_path):
    run_experiment(tiny_config(), tmp_path / "r", False, lambda _: None, progress=False)
    tb._WRITERS.clear()  # close nothing: each writer has flushed after every row
    acc = _events(tmp_path / "r" / "tensorboard")
    tags = acc.Tags()
    scalars = set(tags["scalars"])
    assert {"train/loss", "eval/accuracy", "eval/frac_mislocated"} <= scalars
    assert "probe/condition_share" in scalars  # the probe's metrics per checkpoint
    steps = [e.step for e in acc.Scalars("eval/accuracy")]
    assert sorted(steps) == [0, 2, 3, 6]  # one point per checkpoint
    assert "samples" in tags["images"]


def test_the_image_grid_tiles_every_image():
    batch = np.random.default_rng(0).random((10, 4, 4))
    g = tb.grid(batch, per_row=4)
    assert g.shape == (3 * 5 + 1, 4 * 5 + 1)
    assert np.allclose(g[1:5, 6:10], batch[1]) and np.allclose(g[6:10, 1:5], batch[4])


def test_without_the_package_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.setattr(tb, "available", lambda: False)
    run_experiment(tiny_config(), tmp_path / "r", False, lambda _: None, progress=False)
    assert not (tmp_path / "r" / "tensorboard").exists()
