"""README's result tables (``bumpdiff tables``): each kind prints from its committed file."""

import json
from pathlib import Path

import pytest

from bumpdiff.report.tables import KINDS, phases_table

RESULTS = Path(__file__).parents[2] / "results"
FILES = {
    "phases": "quick/phases.json",
    "compare": "quick/clip.json",
    "sweep": "sweeps/quick-seeds/verdicts.json",
    "answer": "sweeps/screen/verdicts.json",
    "trajectory": "sweeps/quick-seeds/verdicts.json",
    "trajectory-power": "quick/trajectory-calibration.json",
    "sentences": "torus/torus.json",
    "mechanisms": "mechanisms/quick-s0.json",
    "coupling-design": "imbalanced/design.json",
    "coupling-pooled": "imbalanced/decisive-coarse.json",
    "torus": "torus/seeds-verdicts.json",
    "percolation-design": "percolation/design.json",
    "efficiency-design": "efficiency/design.json",
    "scale-search": "scale32/two-cores-30min.json",
    "seeds-power": "scale32/seeds-power.json",
}


def test_every_kind_has_a_committed_file_here():
    assert set(FILES) == set(KINDS)


@pytest.mark.parametrize("kind", sorted(FILES))
def test_each_kind_prints_text_from_its_file(kind):
    text = KINDS[kind](json.loads((RESULTS / FILES[kind]).read_text()))
    assert text.strip() and "None" not in text


def test_the_phases_table_has_a_column_per_checkpoint_and_the_phase_row():
    entries = [{"step": s, "phase": p, "fractions": dict.fromkeys(("none", "multiple",
               "mislocated", "correct"), 0.25), "probe": {}, "controls": {}, "raised": 0.5,
               "behaviour": {}} for s, p in ((0, "A"), (10, "B"), (100, "C"))]  # fmt: skip
    table = phases_table(entries)
    assert table.splitlines()[0] == "| step | 0 | 10 | 100 |"
    assert "| phase (checkpoint) | A | B | C |" in table


def test_the_trajectory_rows_show_its_phase_largest_learned_order_and_decision():
    steps = [{"t": 995, "learned_condition": -0.02, "learned_generated": 0.31},
             {"t": 0, "learned_condition": 0.01, "learned_generated": 0.12}]  # fmt: skip
    entry = {"step": 5, "phase": "A", "fractions": dict.fromkeys(("none", "multiple", "mislocated",
             "correct"), 0.25), "probe": {}, "controls": {}, "behaviour": {},
             "trajectory_phase": "B", "decided_t_generated": 300, "decided_t_condition": None,
             "trajectory": steps}  # fmt: skip
    table = phases_table([entry])
    assert "| phase (trajectory probe) | B |" in table
    assert "| trajectory: learned order vs generated place (max over t) | 0.31 |" in table
    assert "| x̂₀ holds the final place from t | 300 |" in table
    assert "| x̂₀ holds the condition from t | – |" in table
    del entry["trajectory"]
    assert "trajectory" not in phases_table([entry])


def test_a_design_with_its_own_balanced_study_says_its_coupled_prediction_is_read_alike():
    row = {"design": "finex", "coupled": 0.4, "coupled_se": 0.1, "factorized": 0.5,
           "factorized_se": 0.1, "reached": 3, "seeds": 3, "seeds_needed": None,
           "decidable": False, "conditional": True}  # fmt: skip
    design = {"z": 3.0, "max_seeds": 10, "designs": [row, {**row, "design": "other",
              "coupled_from": "prior study"}]}  # fmt: skip
    design["designs"][0]["coupled_from"] = "own balanced study"
    own, other = KINDS["coupling-design"](design).splitlines()
    assert "(the balanced data read alike)" in own and "(the balanced data)" in other
