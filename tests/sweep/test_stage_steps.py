import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bumpdiff.cli import app
from bumpdiff.config import ConfigError
from bumpdiff.sweep.stage_steps import compare_onsets, sentence

RESULTS = Path(__file__).parents[2] / "results" / "sweeps"


def _group(name, onsets, paths=None):
    rows = [dict(zip(("multiple", "mislocated", "correct"), o)) for o in onsets]
    return {"group": name, "onsets": rows, "behaviour_paths": paths or ["in order"] * len(rows)}


FP32 = _group("base", [(0, 16, 398), (0, 25, 398), (0, 16, 631)])


def test_onsets_inside_the_seed_spread_are_the_same():
    same = compare_onsets(FP32, _group("bf16", [(0, 25, 631), (0, 16, 398)]))
    assert same["answer"] == "same" and all(s["within"] for s in same["stages"].values())
    assert "**same**" in sentence(("base", "bf16"), same)


@pytest.mark.parametrize(
    "onsets, paths, stage",
    [
        ([(0, 16, 1000), (0, 16, 398)], None, "correct"),  # one seed later than every fp32 seed
        ([(0, 10, 398)], None, "mislocated"),  # earlier than every fp32 seed
        ([(0, 16, None)], ["no correct by the end"], "correct"),  # never reached
    ],
)
def test_an_onset_outside_the_spread_or_missing_is_different(onsets, paths, stage):
    result = compare_onsets(FP32, _group("bf16", onsets, paths))
    assert result["answer"] == "different" and result["stages"][stage]["within"] is False
    assert f"{stage} from step" in sentence(("base", "bf16"), result)
    assert "outside base's" in sentence(("base", "bf16"), result)


def test_a_stage_the_reference_misses_is_not_judged_and_order_counts():
    skipped = _group("fp32", [(0, None, 398), (0, 16, 398)])
    result = compare_onsets(skipped, _group("bf16", [(0, 40, 398)]))
    assert result["stages"]["mislocated"]["within"] is None and result["answer"] == "same"
    went_back = compare_onsets(FP32, _group("bf16", [(0, 16, 398)], ["went back"]))
    assert went_back["answer"] == "different" and "not always in order" in sentence(
        ("base", "bf16"), went_back)  # fmt: skip


def test_the_committed_sweeps_give_both_answers(tmp_path):
    """The quick study's seeds against themselves are the same; against its 10 × smaller
    learning rate (the screen), whose bumps move later and are rarely right by the end,
    different."""
    seeds, screen = RESULTS / "quick-seeds" / "verdicts.json", RESULTS / "screen" / "verdicts.json"
    out = tmp_path / "steps.json"
    runner = CliRunner()
    done = runner.invoke(app, ["evidence", "stage-steps", str(out), str(seeds), str(seeds)])
    assert done.exit_code == 0, done.output
    assert json.loads(out.read_text())["answer"] == "same"
    slow = runner.invoke(app, ["evidence", "stage-steps", str(out), str(seeds), f"{screen}:lr1e-4"])
    assert slow.exit_code == 0 and json.loads(out.read_text())["answer"] == "different"
    refused = runner.invoke(app, ["evidence", "stage-steps", str(out), str(seeds), str(screen)])
    assert refused.exit_code == 2 and refused.output.strip().count("\n") == 0
    assert "GROUP must be one of" in refused.output


def test_an_unreadable_file_is_one_line():
    from bumpdiff.sweep.stage_steps import stage_steps_main

    with pytest.raises(ConfigError, match="not a sweep's verdicts.json"):
        stage_steps_main(["out.json", "missing.json", "missing.json"])


def test_the_committed_bf16_comparison_is_what_the_performance_page_says():
    """docs/performance.md: training in bf16 reached the stages at the fp32 seeds' steps
    (answer `same`), made from the committed bf16 and fp32 sweeps."""
    result = json.loads((RESULTS / "quick-bf16" / "stage-steps.json").read_text())
    page = (Path(__file__).parents[2] / "docs" / "performance.md").read_text()
    assert "answer `same`" in page and result["answer"] == "same"
    groups = [next(g for g in json.loads((RESULTS / name / "verdicts.json").read_text())
                   if "onsets" in g) for name in ("quick-seeds", "quick-bf16")]  # fmt: skip
    assert compare_onsets(*groups)["answer"] == "same" and groups[1]["seeds"] == 3
