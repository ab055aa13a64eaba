"""bumpdiff from Python: the examples of bumpdiff/api.py run on a tiny analysed run; the tables
have one row per checkpoint (or per row of one kind) with the documented columns; a bad kind is
refused naming the field."""

import doctest

import numpy as np
import pytest

import bumpdiff
import bumpdiff.api as api
from bumpdiff.config import ConfigError


@pytest.fixture(scope="module")
def run_path(tiny_run):
    return tiny_run


def test_the_documented_examples_run(run_path):
    finder, runner = doctest.DocTestFinder(), doctest.DocTestRunner()
    for test in finder.find(api, globs={"run_path": run_path, "open_run": api.open_run}):
        runner.run(test)
    assert runner.summarize(verbose=False).failed == 0
    assert runner.summarize(verbose=False).attempted >= 10


def test_tables_have_a_row_per_checkpoint_and_the_documented_columns(run_path):
    run = bumpdiff.open_run(run_path)
    phases = run.phases()
    assert list(phases["step"]) == run.checkpoints()
    fractions = phases[[f"frac_{o}" for o in ("none", "multiple", "mislocated", "correct")]]
    assert np.allclose(fractions.sum(axis=1), 1.0)
    assert {"probe_trustworthiness", "phase", "layer_phase"} <= set(phases.columns)
    evals = run.metrics("eval")
    assert set(evals["step"]) == set(run.checkpoints()) and "trajectory" not in evals.columns
    assert evals["file_sha256"].str.len().eq(64).all()


def test_a_bad_kind_and_a_missing_run_are_refused(run_path, tmp_path):
    with pytest.raises(ConfigError, match="kind: must be one of"):
        bumpdiff.open_run(run_path).metrics("evals")
    with pytest.raises(ConfigError, match="not a bumpdiff run folder"):
        bumpdiff.open_run(tmp_path / "nowhere")
