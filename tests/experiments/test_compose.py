import json

import pytest

from bumpdiff.experiments import run_experiment
from bumpdiff.experiments.compose import sentences
from tests.conftest import tiny_config

COMPOSE = ("experiment=compose", "model.conditioning=concat", "compose.band=[3,3]",
           "compose.seeds=[0]", "data.canvas=10")  # fmt: skip


def test_tiny_compose_run_scores_every_part(tmp_path):
    cfg = tiny_config(*COMPOSE)
    lines = run_experiment(cfg, tmp_path / "c", False, lambda _: None, progress=False)
    data = json.loads((tmp_path / "c" / "compose.json").read_text())
    assert set(data["models"]) == {"sos-cross", "stripes", "stripes-sos-cross", "stripes-rim"}
    row = data["models"]["sos-cross"]
    assert row["intersection"]["per_seed"] != [None]  # (3, 3) is visible and evaluated
    assert set(data["answers"]) == {"sos-cross", "stripes", "stripes-sos-cross", "rim"}
    assert sum("composes:" in line for line in lines) == 3
    assert (tmp_path / "c" / "figures" / "compose-gallery.png").is_file()


def _row(**parts):
    keys = ["in", "vertical", "horizontal", "intersection", "vertical+horizontal+intersection",
            "all", "rim", "interior"]  # fmt: skip
    return {k: {"mean": parts.get(k), "per_seed": [parts.get(k)]} for k in keys}


@pytest.mark.parametrize("held, answer", [(0.8, "yes"), (0.2, "no"), (None, "undetermined")])
def test_composition_answers(held, answer):
    rows = {
        m: _row(**{"in": 0.9, "vertical+horizontal+intersection": held, "interior": held})
        for m in ("sos-cross", "stripes", "stripes-sos-cross", "stripes-rim")
    }
    lines, answers = sentences(rows, 0.5)
    assert set(answers.values()) == {answer}
    assert f"composes: **{answer}**" in lines[0]
