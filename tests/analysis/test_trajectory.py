"""The trajectory probe in the phases experiment: every checkpoint gets its captured steps with
the documented keys, the decision times and a trajectory phase; the generated images and their
outcomes are those of the run without it; settings changed on resume evaluate again."""

import json

import numpy as np
from conftest import tiny_config

from bumpdiff.experiments import run_experiment
from bumpdiff.store.runfolder import RunFolder, load_npz

KEYS = {"t", "order_condition", "order_generated", "order_generated_untrained",
        "order_generated_shuffled", "order_generated_pixels", "r2_umap_x", "r2_umap_y",
        "r2_umap_px", "r2_umap_py"}  # fmt: skip
SETTINGS = ("sample.draws=2", "sample.sampler=ddpm", "sample.steps=10", "probe.knn=3")


def test_every_checkpoint_gets_its_trajectory_and_the_images_do_not_change(tmp_path):
    log = []
    on = tiny_config(*SETTINGS, "trajectory.t=[49,25,0]")
    run_experiment(on, tmp_path / "on", False, log.append, progress=False)
    run_experiment(tiny_config(*SETTINGS), tmp_path / "off", False, print, progress=False)
    entries = json.loads((tmp_path / "on" / "phases.json").read_text())
    for e in entries:
        assert [s["t"] for s in e["trajectory"]] == [45, 25, 0]  # the sampler's steps
        assert all(KEYS <= set(s) for s in e["trajectory"])
        assert e["trajectory_phase"] in ("A", "B", "C", "undetermined")
        assert {"decided_t_generated", "decided_t_condition"} <= set(e)
    off = json.loads((tmp_path / "off" / "phases.json").read_text())
    assert "trajectory" not in off[0]  # runs without the probe keep the older shape
    on_run = RunFolder(tmp_path / "on")
    for name in ("trajectory-order", "trajectory-umap"):  # the report's figures
        assert on_run.figure_path(name).is_file()
    assert not RunFolder(tmp_path / "off").figure_path("trajectory-order").exists()
    saved = load_npz(on_run.samples_path(on_run.checkpoint_steps()[-1]))
    assert list(saved["trajectory_t"]) == [45, 25, 0]
    assert saved["trajectory_umap"].shape == (3, len(saved["images"]), 3)
    assert saved["trajectory_xhat"].shape == (3, len(saved["images"]), 2)  # x̂₀'s bump per t
    final = saved["trajectory_xhat"][-1]  # at the last step x̂₀ is (nearly) the image itself
    both = np.isfinite(final).all(axis=1) & np.isfinite(saved["centers"]).all(axis=1)
    assert np.abs(final[both] - saved["centers"][both]).max() <= 1.0
    for step in RunFolder(tmp_path / "on").checkpoint_steps():
        a = load_npz(RunFolder(tmp_path / "on").samples_path(step))
        b = load_npz(RunFolder(tmp_path / "off").samples_path(step))
        assert np.array_equal(a["images"], b["images"])
        assert np.array_equal(a["outcome"], b["outcome"])


def test_changing_the_trajectory_settings_evaluates_again_on_resume(tmp_path):
    cfg = tiny_config(*SETTINGS, "trajectory.t=[25]")
    run_experiment(cfg, tmp_path / "r", False, print, progress=False)
    run = RunFolder(tmp_path / "r")
    before = len(run.read_metrics("eval"))
    run_experiment(cfg, tmp_path / "r", True, print, progress=False)
    assert len(run.read_metrics("eval")) == before  # same settings: nothing redone
    again = tiny_config(*SETTINGS, "trajectory.t=[25,0]")
    run_experiment(again, tmp_path / "r", True, print, progress=False)
    rows = run.latest_by_step("eval")
    assert all(len(r.trajectory) == 2 for r in rows.values())


def test_the_signature_is_empty_when_off_and_follows_every_setting_it_uses():
    from bumpdiff.analysis.trajectory import trajectory_signature

    assert trajectory_signature(tiny_config()) == ""
    on = trajectory_signature(tiny_config("trajectory.t=[10]"))
    for other in ("probe.umap_neighbors=5", "trajectory.seed=3", "probe.knn=3"):
        assert trajectory_signature(tiny_config("trajectory.t=[10]", other)) not in ("", on)
    # the threshold only names the phase, which the phases table names again from the rows
    assert trajectory_signature(tiny_config("trajectory.t=[10]", "trajectory.min_learned=.1")) == on


def test_the_phases_table_names_the_trajectory_phase_again_under_another_threshold(tmp_path):
    from bumpdiff.experiments.phases import phase_table

    cfg = tiny_config(*SETTINGS, "trajectory.t=[25,0]")
    run_experiment(cfg, tmp_path / "r", False, print, progress=False)
    run = RunFolder(tmp_path / "r")
    # no interval lies above 1, and every finite one lies above -1
    assert {e.trajectory_phase for e in phase_table(run, 1.0)} <= {"A", "undetermined"}
    assert {e.trajectory_phase for e in phase_table(run, -1.0)} == {"C"}
