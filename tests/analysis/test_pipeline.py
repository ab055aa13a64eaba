"""Analysis of checkpoints: one model load per checkpoint, the resume rule, samples kept."""

import numpy as np
import pytest

import bumpdiff.analysis.pipeline as analysis
from bumpdiff.analysis.pipeline import analyse_checkpoint, analyse_pending, sample_checkpoint
from bumpdiff.config import ConfigError
from bumpdiff.training.loop import train


@pytest.fixture
def tiny_run(tmp_path, tiny):
    return train(tiny, tmp_path / "run", progress=False)


def test_a_checkpoint_is_loaded_once_for_evaluation_and_probe(tiny_run, tiny, monkeypatch):
    loads = []
    real = analysis.load_model
    monkeypatch.setattr(analysis, "load_model", lambda *a, **k: loads.append(a) or real(*a, **k))
    rows = analyse_checkpoint(tiny_run, tiny, 6)
    assert len(loads) == 1 and set(rows) == {"eval", "probe"}
    assert rows["eval"].step == rows["probe"].step == 6
    assert tiny_run.samples_path(6).is_file() and tiny_run.probe_path(6).is_file()
    logged = tiny_run.read_metrics()
    assert [r.event for r in logged if r.event in ("eval", "probe")] == ["eval", "probe"]


def test_pending_analysis_does_only_what_is_missing(tiny_run, tiny):
    analyse_checkpoint(tiny_run, tiny, 0, parts=("eval",))
    assert analyse_pending(tiny_run, tiny) == [0, 2, 3, 6]  # step 0 still lacked its probe
    evals = [r.step for r in tiny_run.read_metrics("eval")]
    probes = [r.step for r in tiny_run.read_metrics("probe")]
    assert sorted(evals) == [0, 2, 3, 6] and sorted(probes) == [0, 2, 3, 6]  # no step twice
    assert analyse_pending(tiny_run, tiny) == []


def test_a_probe_only_analysis_says_each_phase(tiny_run, tiny):
    logs: list[str] = []
    assert analyse_pending(tiny_run, tiny, logs.append, parts=("probe",), only=[6]) == [6]
    assert logs[0].startswith("[4/4] step 6: phase ") and "accuracy" not in logs[0]


def test_samples_at_user_conditions_never_replace_evaluation_samples(tiny_run, tiny):
    analyse_checkpoint(tiny_run, tiny, 6, parts=("eval",))
    before = tiny_run.samples_path(6).read_bytes()
    samples, summary, path = sample_checkpoint(tiny_run, tiny, 6, np.array([[2.0, 3.0]]), 3, 0)
    assert path.name == "6-1.npz" and tiny_run.samples_path(6).read_bytes() == before
    assert samples.images.shape == (3, 8, 8) and summary["n"] == 3
    with pytest.raises(ConfigError, match="mu_x: must be in"):
        sample_checkpoint(tiny_run, tiny, 6, np.array([[9.0, 3.0]]), 1, 0)


def test_rows_made_with_other_classification_settings_are_redone(tiny_run, tiny):
    analyse_pending(tiny_run, tiny)
    stricter = tiny.model_copy(update={"eval": tiny.eval.model_copy(update={"prominence": 0.4})})
    assert analyse_pending(tiny_run, stricter) == [0, 2, 3, 6]  # eval again, probes kept
    assert len(tiny_run.read_metrics("probe")) == 4
    no_clip = tiny.model_copy(update={"sample": tiny.sample.model_copy(update={"clip": False})})
    assert analyse_pending(tiny_run, no_clip) == [0, 2, 3, 6]


def test_a_tolerance_along_x_changes_the_signature_only_when_set():
    """Rows made before the field keep their signature (no re-evaluation); a finer x is said."""
    from bumpdiff.analysis.pipeline import axis_tolerance, detector_signature
    from tests.conftest import tiny_config

    plain, fine = tiny_config(), tiny_config("eval.tolerance_x=0.25")
    assert detector_signature(plain).endswith("tolerance 1")
    assert detector_signature(fine).endswith("tolerance x 0.25, y 1")
    assert axis_tolerance(plain) == 1.0 and axis_tolerance(fine) == (0.25, 1.0)
