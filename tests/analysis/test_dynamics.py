"""The mechanisms measures on a tiny trained run: one entry per checkpoint, the run's controls at
their ends (the ideal denoiser of the training set snaps to it, bumps rendered at the conditions
follow them), resume without recomputing, other settings measured again, and settings it cannot
honour refused naming the field."""

import numpy as np
import pytest
import torch
from conftest import tiny_config

from bumpdiff.analysis import dynamics
from bumpdiff.config import ConfigError
from bumpdiff.store.runfolder import RunFolder

FAST = ("mechanisms.fit_images=4", "mechanisms.fit_t=[5,20]", "eval.off_lattice=6",
        "mechanisms.path_draws=2", "mechanisms.baseline_conditions=4")  # fmt: skip


@pytest.fixture(scope="module")
def run(tiny_run):
    return RunFolder(tiny_run)


def test_every_checkpoint_is_measured_with_the_controls_at_their_ends(run):
    cfg = run.read_config(list(FAST))
    summary = dynamics.run_dynamics(run, cfg, lambda _: None)
    assert [s.step for s in summary.steps] == run.checkpoint_steps()
    ideal = next(b for b in summary.baselines if b.label == "ideal")
    assert ideal.snapping.mean == pytest.approx(1.0) and ideal.fractions["correct"] == 1.0
    assert summary.rendered.one_bump == 1.0 and summary.rendered.mean < 0.1
    assert [b.label for b in summary.baselines] == ["patch-3", "patch-5", "patch-7", "ideal"]
    assert len(summary.steps[0].paths) == len(summary.targets)
    assert set(summary.steps[-1].fit["ideal"]) == {"5", "20"}


def test_a_second_call_continues_and_other_settings_start_again(run, monkeypatch):
    cfg = run.read_config(list(FAST))
    dynamics.run_dynamics(run, cfg, lambda _: None)
    before = run.dynamics_path.read_text()

    def refuse(*args, **kwargs):
        raise AssertionError("measured a checkpoint again")

    monkeypatch.setattr(dynamics, "checkpoint_entry", refuse)
    dynamics.run_dynamics(run, cfg, lambda _: None)
    assert run.dynamics_path.read_text() == before
    other = run.read_config([*FAST, "mechanisms.fit_t=[10]"])
    with pytest.raises(AssertionError, match="again"):
        dynamics.run_dynamics(run, other, lambda _: None)


def test_settings_it_cannot_honour_are_refused_by_field():
    with pytest.raises(ConfigError, match=r"mechanisms.patch_sizes: .*≤ data.size \(8\), got 9"):
        dynamics.check_settings(tiny_config("mechanisms.patch_sizes=[3,9]"))
    with pytest.raises(ConfigError, match=r"mechanisms.fit_t: .*< diffusion.timesteps \(50\)"):
        dynamics.check_settings(tiny_config("mechanisms.fit_t=[10,50]"))


def test_r_squared_is_1_for_the_baseline_itself_and_0_for_its_mean():
    base = torch.randn(6, 1, 4, 4)
    assert dynamics.r_squared(base, base) == pytest.approx(1.0)
    assert dynamics.r_squared(torch.full_like(base, float(base.mean())), base) == pytest.approx(0)


def test_default_targets_are_two_training_positions_and_two_between_them():
    cfg = tiny_config()
    training = dynamics.training_positions(cfg)
    off = np.array([[2.0, 2.0], [4.0, 4.0], [2.0, 4.0]])
    targets = dynamics._targets(cfg, training, off)
    on = [any(np.allclose(t, p) for p in training) for t in targets]
    assert sum(on) == 2 and len(targets) == 4 and len(np.unique(targets, axis=0)) == 4


def _terms_of(r2_per_image: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """(residual, spread) per image giving r² = 1 − mean residual for unit spreads."""
    return [(1 - r2_per_image, np.ones_like(r2_per_image))]


def test_the_best_fit_is_apart_from_its_runner_up_only_beyond_its_standard_error():
    rng = np.random.default_rng(0)
    base = rng.uniform(0.5, 0.9, 200)
    clear = dynamics.best_fit({"a": _terms_of(base + 0.05), "b": _terms_of(base)}, seed=1)
    assert clear["best"] == "a" and clear["margin"] == pytest.approx(0.05)
    assert clear["margin"] > 2 * clear["margin_se"]
    noisy = base + rng.normal(0, 0.2, 200)
    close = dynamics.best_fit({"a": _terms_of(noisy + 0.005), "b": _terms_of(base)}, seed=1)
    assert not close["margin"] > 2 * close["margin_se"]
    none = dynamics.best_fit({"a": _terms_of(base - 2), "b": _terms_of(base - 3)}, seed=1)
    assert none["best"] is None and none["runner_up"] is None


def test_entries_without_a_margin_have_their_fit_measured_again(run):
    import json

    cfg = run.read_config(list(FAST))
    dynamics.run_dynamics(run, cfg, lambda _: None)
    saved = json.loads(run.dynamics_path.read_text())
    fitted = [s for s in saved["steps"] if s["best"] is not None]
    assert fitted, "the tiny run fits some baseline somewhere"
    for s in fitted:
        s["runner_up"], s["margin"], s["margin_se"] = None, None, None
    run.dynamics_path.write_text(json.dumps(saved))
    again = dynamics.run_dynamics(run, cfg, lambda _: None)
    assert all(s.runner_up is not None for s in again.steps if s.best is not None)
    assert [s.snapping for s in again.steps] == [
        dynamics.DynamicsSummary.model_validate(saved).steps[i].snapping
        for i in range(len(saved["steps"]))
    ]
