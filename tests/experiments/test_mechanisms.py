"""The mechanisms analysis end to end on a tiny trained run: three answers written into
dynamics.json beside their numbers, the page and its figures; the phase-A comparison pairs only
evaluations made with the baselines' sampler; the paths' answer on a synthetic summary."""

import json

import pytest
from conftest import tiny_config

from bumpdiff.experiments import mechanisms
from bumpdiff.store.runfolder import RunFolder
from tests.report.test_mechanism_figures import _summary

FAST = ["mechanisms.fit_images=4", "mechanisms.fit_t=[5,20]", "eval.off_lattice=6",
        "mechanisms.path_draws=2", "mechanisms.baseline_conditions=4"]  # fmt: skip


@pytest.fixture(scope="module")
def run(tiny_run):
    return RunFolder(tiny_run)


def test_three_answers_with_their_numbers_page_and_figures(run):
    lines = mechanisms.run_mechanisms(run, run.read_config(FAST), lambda _: None)
    saved = json.loads(run.dynamics_path.read_text())
    assert [a["key"] for a in saved["answers"]] == ["snapping", "mosaic", "paths"]
    assert len(lines) == 3 and all(a["answer"] for a in saved["answers"])
    page = run.mechanisms_path.read_text()
    assert all(q in page for q in mechanisms.QUESTIONS.values())
    assert all(run.figure_path(n).is_file() for n in ("snapping", "baseline-fit", "paths"))


def test_phase_a_is_compared_only_with_evaluations_of_the_same_sampler(run):
    cfg = run.read_config(FAST)
    summary = mechanisms.run_dynamics(run, cfg, lambda _: None)
    every = {s.step: "A" for s in summary.steps}
    answer, rows = mechanisms.mosaic_result(run, cfg, summary, every)
    assert len(rows) == len(summary.steps) and answer["answer"] in ("yes", "no", "undetermined")
    other = run.read_config([*FAST, "sample.steps=3"])  # the evaluation used 4 steps
    answer, rows = mechanisms.mosaic_result(run, other, summary, every)
    assert rows == [] and "sampler" in answer["sentence"]
    assert "no phases.json" in mechanisms.mosaic_result(run, cfg, summary, {})[0]["sentence"]


def test_the_paths_answer_counts_the_targets_reached():
    summary = _summary()  # last step: (3.8, 3) for target (3, 3), (4.5, 3.7) for (4.5, 4.5)
    training = __import__("numpy").array([[3.0, 3.0], [4.0, 4.0]])
    found = mechanisms.paths_result(tiny_config("eval.tolerance=0.85"), summary, training)
    assert found["answer"].startswith("2 of 2 paths end within 0.85 px")
    found = mechanisms.paths_result(tiny_config("eval.tolerance=0.5"), summary, training)
    assert (
        found["answer"].startswith("0 of 2") and "lattice targets end 0.80 px" in found["sentence"]
    )


def test_the_phases_report_carries_the_answers_and_paths_once_measured(run):
    from bumpdiff.experiments import report_run

    mechanisms.run_mechanisms(run, run.read_config(FAST), lambda _: None)
    report_run(run)
    page = run.report_path.read_text()
    assert "How it generates" in page and mechanisms.QUESTIONS["paths"] in page
    assert 'alt="concept-space paths"' in page


def test_the_measures_read_from_python_one_row_per_checkpoint(run):
    import bumpdiff

    mechanisms.run_mechanisms(run, run.read_config(FAST), lambda _: None)
    table = bumpdiff.open_run(run.root).dynamics()
    assert list(table["step"]) == run.checkpoint_steps()
    assert {"snap_mean", "r2_ideal", "r2_patch-3", "best", "margin_se"} <= set(table.columns)
