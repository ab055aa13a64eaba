import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bumpdiff.cli import app
from bumpdiff.report.tables import seeds_power_lines
from bumpdiff.sweep.seeds_power import outcomes

RESULTS = Path(__file__).parents[2] / "results" / "sweeps"


def test_three_seeds_against_none_of_five_differ_only_when_all_three_do():
    # the one table at least as extreme as 3/3 against 0/5: C(3,3) C(5,0) / C(8,3) = 1/56
    row = outcomes(0, 5, 3)
    assert row["different"] == [3]
    assert row["outcomes"][3]["p"] == pytest.approx(1 / 56)
    assert row["outcomes"][0]["p"] == pytest.approx(1.0)


def test_more_seeds_detect_smaller_changes_and_a_middling_reference_none():
    assert outcomes(0, 5, 5)["different"] == [4, 5]
    assert outcomes(0, 20, 20)["different"][0] <= 6  # 20 seeds: a change of under a third shows
    assert outcomes(2, 4, 3)["different"] == []  # half of four: no count of three stands out
    line = seeds_power_lines({"counts": {"paper_agrees": outcomes(2, 4, 3)}})
    assert "the design cannot tell" in line


def _verdicts(path: Path, in_order: int, agrees: int, seeds: int = 3) -> Path:
    path.write_text(json.dumps([{"group": "base", "seeds": seeds, "behaviour_in_order": in_order,
                                 "paper_agrees": agrees}]))  # fmt: skip
    return path


def test_a_finished_sweep_gets_its_counts_judged_both_ways(tmp_path):
    reference = RESULTS / "quick-seeds" / "verdicts.json"  # 5/5 in order, 0/5 agreeing
    out, runner = tmp_path / "power.json", CliRunner()
    same = runner.invoke(app, ["evidence", "seeds-power", str(out), str(reference),
                               str(_verdicts(tmp_path / "same.json", 3, 1))])  # fmt: skip
    assert same.exit_code == 0, same.output
    counts = json.loads(out.read_text())["counts"]
    assert counts["behaviour_in_order"]["observed"] == 3 and counts["paper_agrees"]["observed"] == 1
    lines = seeds_power_lines(json.loads(out.read_text())).splitlines()
    assert all("**no change shown**" in line for line in lines)
    changed = runner.invoke(app, ["evidence", "seeds-power", str(out), str(reference),
                                  str(_verdicts(tmp_path / "b.json", 3, 3))])  # fmt: skip
    assert changed.exit_code == 0
    assert "**different**" in seeds_power_lines(json.loads(out.read_text())).splitlines()[1]


def test_each_count_is_judged_at_the_familys_alpha_shared_between_the_counts(tmp_path):
    """Two counts compared: each at 0.05 / 2. 1 of 5 seeds in order against the quick study's
    5 of 5 has p = 0.048 (C(5,1) C(5,5) / C(10,6) doubled by symmetry): below 0.05, not 0.025."""
    assert outcomes(5, 5, 5)["outcomes"][1]["p"] == pytest.approx(10 / 210)
    out, reference = tmp_path / "power.json", RESULTS / "quick-seeds" / "verdicts.json"
    other = _verdicts(tmp_path / "v.json", 1, 0, seeds=5)
    result = CliRunner().invoke(app, ["evidence", "seeds-power", str(out), str(reference),
                                      str(other)])  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["family_alpha"] == 0.05
    assert {row["alpha"] for row in data["counts"].values()} == {0.025}
    assert data["counts"]["behaviour_in_order"]["different"] == [0]
    assert "**no change shown**" in seeds_power_lines(data).splitlines()[0]


@pytest.mark.parametrize("third", ["0", "missing.json"])
def test_bad_input_is_one_line_and_writes_nothing(tmp_path, third):
    out, reference = tmp_path / "power.json", RESULTS / "quick-seeds" / "verdicts.json"
    result = CliRunner().invoke(app, ["evidence", "seeds-power", str(out), str(reference), third])
    assert result.exit_code == 2 and result.output.strip().count("\n") == 0
    assert not out.exists()


def _with_reading(path: Path, learned: int, staged: int, seeds: int = 3) -> Path:
    reading = {"with_mislocated_stage": staged,
               "counts": {"learned": learned, "leak": 0, "condition": staged - learned,
                          "undetermined": 0}}  # fmt: skip
    path.write_text(json.dumps([{"group": "base", "seeds": seeds, "behaviour_in_order": seeds,
                                 "paper_agrees": 0, "trajectory": reading}]))  # fmt: skip
    return path


@pytest.mark.parametrize(("learned", "answer"), [(0, "no change shown"), (3, "no change shown")])
def test_the_trajectory_count_is_compared_after_the_run_outside_the_family(
    tmp_path, learned, answer
):
    """The quick study read 4 of its 5 mislocated stages as learned B. Against it 0 of 3 has
    p = 1/7 (4 learned of 8 stages: 0 or 3 of them among the 3 each come 4 times in C(8,3) =
    56), so neither 0/3 nor 3/3 is a change even at 0.05 alone; 0 of 10 is (p < 0.004)."""
    out, reference = tmp_path / "power.json", RESULTS / "quick-seeds" / "verdicts.json"
    other = _with_reading(tmp_path / "v.json", learned, 3)
    result = CliRunner().invoke(app, ["evidence", "seeds-power", str(out), str(reference),
                                      str(other)])  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    row = data["exploratory"]["trajectory_learned"]
    assert row["reference"] == [4, 5] and row["seeds"] == 3 and row["alpha"] == 0.05
    assert row["observed"] == learned
    last = seeds_power_lines(data).splitlines()[-1]
    assert "after the run, outside the design's family" in last and f"**{answer}**" in last
    many = _with_reading(tmp_path / "many.json", 0, 10, seeds=10)
    CliRunner().invoke(app, ["evidence", "seeds-power", str(out), str(reference), str(many)])
    assert "**different**" in seeds_power_lines(json.loads(out.read_text())).splitlines()[-1]


def test_no_trajectory_reading_leaves_the_exploratory_count_out(tmp_path):
    out, reference = tmp_path / "power.json", RESULTS / "quick-seeds" / "verdicts.json"
    other = _verdicts(tmp_path / "v.json", 3, 0)
    CliRunner().invoke(app, ["evidence", "seeds-power", str(out), str(reference), str(other)])
    data = json.loads(out.read_text())
    assert data["exploratory"] == {} and len(seeds_power_lines(data).splitlines()) == 2
