import json

import pytest

from bumpdiff.experiments import run_experiment
from bumpdiff.experiments.interpolate import sentences
from tests.conftest import tiny_config


def test_tiny_interpolate_run_scores_inside_and_outside_the_lesion(tmp_path):
    cfg = tiny_config("experiment=interpolate", "interpolate.widths=[1,4]",
                      "interpolate.seeds=[0]", "data.dx=1")  # fmt: skip
    lines = run_experiment(cfg, tmp_path / "i", False, lambda _: None, progress=False)
    data = json.loads((tmp_path / "i" / "interpolate.json").read_text())
    assert [r["width"] for r in data["widths"]] == [1, 4]
    narrow, wide = data["widths"]
    # x in 1..6, y in {1, 3, 5}; middle 3.5: w = 1 holds out x = 3, 4; w = 4 x = 2..5
    assert sum(narrow["umap"]["held_out"]) == 2 * 3 and sum(wide["umap"]["held_out"]) == 4 * 3
    assert narrow["lesion"]["per_seed"][0] is not None and wide["in"]["per_seed"][0] is not None
    assert "interpolate" in lines[0]


@pytest.mark.parametrize("inside, answer", [(0.7, "yes"), (0.1, "no"), (None, "undetermined")])
def test_interpolation_answers(inside, answer):
    rows = [{"width": 3.5, "in": {"mean": 0.9}, "lesion": {"mean": inside, "per_seed": [inside]}}]
    lines, answers = sentences(rows, 0.5)
    assert answers == {"3.5": answer} and f"**{answer}**" in lines[0]
