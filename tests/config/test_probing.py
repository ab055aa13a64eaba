"""The phase rule's default thresholds against the evidence they cite
(results/phase-calibration/calibration.json, made by the calibration experiment): with the
defaults, no known-answer cloud gets a wrong label, and the untrained network is not ordered."""

import json
from pathlib import Path

import pytest

from bumpdiff.config import ConfigError, PhaseConfig, build_config
from bumpdiff.probe.phase import classify_phase

CALIBRATION = Path(__file__).parents[2] / "results" / "phase-calibration"
ALLOWED = {"sheet": {"C"}, "permuted": {"B"}, "relay": {"A", "C"}, "noise": {"A"}}


def _rows(part: str) -> list[dict]:
    """The committed calibration's ``clouds`` or ``untrained`` rows, undefined metrics as NaN."""
    rows = json.loads((CALIBRATION / "calibration.json").read_text())[part]
    nan = float("nan")
    return [{k: nan if v is None else v for k, v in r.items()} for r in rows]


def _clouds():
    return _rows("clouds")


def test_default_thresholds_give_no_wrong_label_on_the_committed_clouds():
    rule = PhaseConfig()
    rows = [r for r in _clouds() if r["floor"] == rule.min_component_reliability]
    assert rows, "the calibration has no clouds at the default component-reliability floor"
    wrong = [
        (r["kind"], r["share"], r["draws"], r["seed"], phase)
        for r in rows
        if (phase := classify_phase(r, rule)) not in ALLOWED[r["kind"]] | {"undetermined"}
        and not (phase == "A" and r["share"] < 0.02)
    ]
    assert not wrong
    # and the rule is not vacuous: the strong known answers are named
    strong = [r for r in rows if r["share"] >= 0.1 and r["draws"] >= 16]
    for kind, phase in (("sheet", "C"), ("permuted", "B")):
        assert all(classify_phase(r, rule) == phase for r in strong if r["kind"] == kind)


def test_each_guard_against_calling_a_relay_b_is_needed():
    """Two guards keep weak relays from B: the reliability floor and the halves' agreement.
    Without the floor, the agreement alone still holds; loosened as well, relays become B. And
    a stricter agreement than the data give would stop permuted sheets from being B."""
    rows = [r for r in _clouds() if r["floor"] == 0.8]
    relays = [r for r in rows if r["kind"] == "relay"]
    no_floor = PhaseConfig(min_reliability=0.0)
    assert not any(classify_phase(r, no_floor) == "B" for r in relays)
    neither = PhaseConfig(min_reliability=0.0, min_half_agreement=0.8)
    assert any(classify_phase(r, neither) == "B" for r in relays)
    strict = PhaseConfig(min_half_agreement=0.9999)
    assert not any(classify_phase(r, strict) == "B" for r in rows if r["kind"] == "permuted")


def test_the_untrained_network_of_the_calibration_is_not_ordered():
    rows = _rows("untrained")
    assert {r["phase"] for r in rows if r["what"] == "layer"} <= {"A", "undetermined"}
    assert all(r["readout_at_condition"] < PhaseConfig().min_readout for r in rows)


@pytest.mark.parametrize(
    "override",
    [
        "phase.min_readout=1.5",
        "phase.min_component_reliability=-0.1",
        "probe.draws=0",
        "trajectory.t=[1000]",
        "trajectory.t=[10,10]",
        "trajectory.min_learned=2",
    ],
)
def test_thresholds_out_of_range_are_refused(override):
    with pytest.raises(ConfigError, match=override.split("=")[0]):
        build_config({}, [override])
