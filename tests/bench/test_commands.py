"""The tool commands: ``bumpdiff tables`` prints README's tables, ``bumpdiff evidence`` runs an
evidence tool; an unknown kind or tool is one line and exit 2."""

import json
from pathlib import Path

from typer.testing import CliRunner

from bumpdiff.cli import app
from bumpdiff.report.tables import phases_table, phases_verdict

ROOT = Path(__file__).parents[2]
runner = CliRunner()


def test_tables_prints_the_readme_table_of_a_committed_file():
    path = ROOT / "results" / "quick" / "phases.json"
    result = runner.invoke(app, ["tables", "phases", str(path)])
    assert result.exit_code == 0
    entries = json.loads(path.read_text())
    assert phases_table(entries) in result.output
    assert " ".join(phases_verdict(entries).split()) in " ".join(result.output.split())


def test_an_unknown_kind_or_tool_is_one_line_and_exit_2():
    for args, word in ((["tables", "nope", "x.json"], "KIND"), (["evidence", "nope"], "TOOL")):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, result.output
        assert result.output.strip().count("\n") == 0 and word in result.output


def test_a_file_of_another_kind_or_not_json_is_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    other = ROOT / "benchmarks" / "cpu-2core-profile-paper.json"
    for kind, path, word in (("scale", bad, "not JSON"), ("samplers", other, "not a 'samplers'")):
        result = runner.invoke(app, ["tables", kind, str(path)])
        assert result.exit_code == 2, result.output
        assert result.output.strip().count("\n") == 0 and word in result.output


def test_an_evidence_tool_with_its_arguments_off_says_its_usage_and_exits_2(tmp_path):
    result = runner.invoke(app, ["evidence", "agreement", str(tmp_path / "out.json")])
    assert result.exit_code == 2
    assert "usage: bumpdiff evidence agreement OUT.json BASE_RUN OTHER_RUN" in result.output
    assert not (tmp_path / "out.json").exists()


def test_design_power_reads_a_study_and_a_designs_references(tmp_path):
    """From the committed imbalanced study and a design whose references put x at 1.8× y's step
    in every seed: a few 2D seeds suffice, the design is chosen; a missing file is one line,
    exit 2, and nothing is written."""
    refs = {"data": {"sigma": 0.6}, "rows": [{"dx": 1.0, "dy": 1.0, "seeds": [0, 1, 2],
            "reached": 3, "log_ratio50_per_seed": [0.59, 0.6, 0.61]}]}  # fmt: skip
    (tmp_path / "refs.json").write_text(json.dumps(refs))
    out, study = tmp_path / "design.json", ROOT / "results" / "imbalanced" / "coupling.json"
    result = runner.invoke(
        app, ["evidence", "design-power", str(out), str(study), f"w={tmp_path / 'refs.json'}"]
    )
    assert result.exit_code == 0, result.output
    design = json.loads(out.read_text())
    assert design["chosen"] == ["w"] and 2 <= design["designs"][0]["seeds_needed"] <= 10
    missing = tmp_path / "other.json"
    result = runner.invoke(
        app, ["evidence", "design-power", str(missing), str(study), f"w={tmp_path / 'no.json'}"]
    )
    assert result.exit_code == 2 and "no.json" in result.output and not missing.exists()


def test_design_power_takes_a_designs_own_balanced_study_after_a_comma(tmp_path):
    """NAME=REFS,BALANCED: the balanced study read with the design's tolerances is its coupled
    prediction; one read otherwise is refused in one line, exit 2, nothing written."""
    refs = {"data": {"sigma": 1.0}, "eval_tolerance": 1.0, "eval_tolerance_x": 0.25,
            "rows": [{"dx": 0.1, "dy": 1.0, "seeds": [0, 1, 2], "reached": 3,
                      "log_ratio50_per_seed": [0.59, 0.6, 0.61]}]}  # fmt: skip
    study = ROOT / "results" / "imbalanced" / "coupling.json"
    own = json.loads(study.read_text())
    (tmp_path / "refs.json").write_text(json.dumps(refs))
    for tol, name in ((0.25, "own.json"), (None, "other.json")):
        (tmp_path / name).write_text(json.dumps({**own, "eval_tolerance": 1.0,
                                                 "eval_tolerance_x": tol}))  # fmt: skip
    out = tmp_path / "design.json"
    args = ["evidence", "design-power", str(out), str(study)]
    result = runner.invoke(app, [*args, f"f={tmp_path / 'refs.json'},{tmp_path / 'own.json'}"])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["designs"][0]["coupled_from"] == "own balanced study"
    out.unlink()
    result = runner.invoke(app, [*args, f"f={tmp_path / 'refs.json'},{tmp_path / 'other.json'}"])
    assert result.exit_code == 2 and "eval_tolerance_x" in result.output and not out.exists()


def test_percolation_power_reads_a_pilot_and_the_config_to_run(tmp_path):
    """The committed pilot and the percolation preset: one row per width, each with a finite
    onset standard error; 64 conditions × 2 draws = 128 images per seed; a bad config is one
    line, exit 2, nothing written."""
    out, pilot = tmp_path / "power.json", ROOT / "results" / "percolation" / "percolation.json"
    config = ROOT / "configs" / "percolation.yaml"
    result = runner.invoke(
        app, ["evidence", "percolation-power", str(out), str(pilot), str(config)]
    )
    assert result.exit_code == 0, result.output
    power = json.loads(out.read_text())
    assert power["design"]["images"] == 128 and power["design"]["seeds"] == 2
    assert [w["sigma"] for w in power["widths"]] == [0.5, 1.0]
    assert all(0 < w["onset_se"] < 1 for w in power["widths"])
    bad = tmp_path / "bad.yaml"
    bad.write_text("experiment: percolation\npercolation: {onset: 2}\n")
    result = runner.invoke(app, ["evidence", "percolation-power", str(tmp_path / "o.json"),
                                 str(pilot), str(bad)])  # fmt: skip
    assert result.exit_code == 2 and "percolation.onset" in result.output
    assert not (tmp_path / "o.json").exists()


def test_efficiency_power_reads_a_pilot_and_the_config_to_run(tmp_path):
    """The committed pilot (N = 8 and 10, stripes never below 60 %) and the fine design: the
    bumps' exponent over its three canvases gets a finite standard error, the stripes' none; the
    pilot's own two-canvas preset cannot fit one (three needed); a missing pilot is one line,
    exit 2."""
    out, pilot = tmp_path / "power.json", ROOT / "results" / "efficiency" / "efficiency.json"
    config = ROOT / "configs" / "efficiency.yaml"
    fine = ROOT / "configs" / "efficiency-fine.yaml"
    result = runner.invoke(app, ["evidence", "efficiency-power", str(out), str(pilot), str(fine)])
    assert result.exit_code == 0, result.output
    power = json.loads(out.read_text())["datasets"]
    assert 0 < power["bumps"]["exponent_se"] < 5 and power["bumps+stripes"]["exponent_se"] is None
    result = runner.invoke(app, ["evidence", "efficiency-power", str(out), str(pilot), str(config)])
    two = json.loads(out.read_text())["datasets"]["bumps"]
    assert two["exponent_se"] is None and two["canvases"] == [8, 10]
    result = runner.invoke(app, ["evidence", "efficiency-power", str(tmp_path / "o.json"),
                                 str(tmp_path / "none.json"), str(config)])  # fmt: skip
    assert result.exit_code == 2 and "none.json" in result.output
