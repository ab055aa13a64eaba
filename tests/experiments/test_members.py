import numpy as np
import pytest

from bumpdiff.experiments.members import accuracy_by, derived, spread
from tests.conftest import tiny_config


def test_accuracy_by_part_and_pooled_parts():
    parts = np.array(["in", "in", "a", "b", "b"])
    outcome = np.array(["correct", "none", "correct", "correct", "multiple"])
    acc = accuracy_by(parts, outcome, ["in", "a", "missing", ("a", "b")])
    assert acc == {"all": 0.6, "in": 0.5, "a": 1.0, "missing": None, "a+b": pytest.approx(2 / 3)}


def test_spread_ignores_missing_seeds():
    assert spread([0.2, None, 0.6]) == {"mean": pytest.approx(0.4), "min": 0.2, "max": 0.6,
                                        "per_seed": [0.2, None, 0.6]}  # fmt: skip
    assert spread([None])["mean"] is None


def test_derived_is_a_plain_run_with_its_fields_replaced():
    cfg = tiny_config("experiment=compose", "model.conditioning=concat")
    member = derived(cfg, 3, data={"kinds": ["vstripe"]})
    assert member.experiment == "phases" and member.seed == 3
    assert member.data.kinds == ["vstripe"] and cfg.data.kinds == ["bump"]
