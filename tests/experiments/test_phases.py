"""The phases experiment: a tiny run end to end, and the permuted-label control."""

import json
import re

import pytest
import yaml
from conftest import TINY
from typer.testing import CliRunner

from bumpdiff.cli import app

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def tiny_yaml(tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(TINY))
    return path


def test_tiny_phases_run_writes_report_and_phases_json(tiny_yaml, tmp_path):
    run = tmp_path / "run"
    res = invoke("run", tiny_yaml, "--out", run)
    assert res.exit_code == 0, res.output
    assert "final (step 6): accuracy" in res.output and "report:" in res.output
    html = (run / "report.html").read_text()
    for section in [
        "Summary",
        "Generation outcomes against training",
        "Order and dimension",
        "UMAP snapshots",
        "Generated images per checkpoint and outcome",
        "Training loss",
        "Provenance",
        "Every checkpoint",
        "Method",
        "data:image/png;base64,",
    ]:
        assert section in html, section
    assert not re.search(r"src=[\"']?http", html)  # opens offline
    phases = json.loads((run / "phases.json").read_text())
    assert [p["step"] for p in phases] == [0, 2, 3, 6]
    for entry in phases:
        assert entry["phase"] in {"A", "B", "C", "relay", "undetermined"}
        assert entry["layer_phase"] in {"A", "B", "C", "undetermined"}
        assert {"readout_at_condition", "readout_at_condition_t10"} <= set(entry["controls"])
        assert set(entry["fractions"]) == {"none", "multiple", "mislocated", "correct"}
        assert abs(sum(entry["fractions"].values()) - 1) < 1e-9
        assert {"accuracy", "r2_x", "r2_y"} <= set(entry)
    for name in ["outcomes", "order", "umap", "gallery"]:
        assert (run / "figures" / f"{name}.png").is_file()
    res = invoke("report", run)
    assert res.exit_code == 0 and json.loads((run / "phases.json").read_text()) == phases
    # the same folder again: refused without --resume, continued (nothing redone) with it
    res = invoke("run", tiny_yaml, "--out", run)
    assert res.exit_code == 2 and "already holds a run" in res.output
    before = (run / "metrics.jsonl").read_text()
    res = invoke("run", tiny_yaml, "--out", run, "--resume")
    assert res.exit_code == 0 and (run / "metrics.jsonl").read_text() == before
    res = invoke("run", tiny_yaml, "--out", run, "--resume", "--set", "train.lr=0.1")
    assert res.exit_code == 2 and "train.lr: differs from the run being resumed" in res.output


def test_a_permuted_label_control_scores_against_where_the_data_put_the_bump(tmp_path):
    """The null control runs as any experiment; its generated positions are not laid out like
    the labels even where the network places bumps where its training data put them."""
    tree = {**TINY, "data": {**TINY["data"], "permute_labels": True}}
    path = tmp_path / "perm.yaml"
    path.write_text(yaml.safe_dump(tree))
    res = invoke("run", path, "--out", tmp_path / "run")
    assert res.exit_code == 0, res.output
    phases = json.loads((tmp_path / "run" / "phases.json").read_text())
    assert [p["step"] for p in phases] == [0, 2, 3, 6] and "behaviour" in phases[-1]
