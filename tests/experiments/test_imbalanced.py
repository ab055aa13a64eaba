"""A tiny imbalanced run end to end: sub-runs, coupling.json, report, resume."""

import json

import yaml
from conftest import TINY
from typer.testing import CliRunner

from bumpdiff.cli import app


def test_tiny_imbalanced_run(tmp_path):
    tree = {
        **TINY,
        "experiment": "imbalanced",
        "imbalanced": {"variants": [[1.0, 2.0], [2.0, 2.0]], "seeds": [0, 1]},
    }
    cfg_path = tmp_path / "imb.yaml"
    cfg_path.write_text(yaml.safe_dump(tree))
    res = CliRunner().invoke(app, ["run", str(cfg_path), "--out", str(tmp_path / "imb")])
    assert res.exit_code == 0, res.output
    out = json.loads((tmp_path / "imb" / "coupling.json").read_text())
    assert isinstance(out["verdict"], str) and out["verdict"]
    assert [(v["dx"], v["dy"]) for v in out["variants"]] == [(1.0, 2.0), (2.0, 2.0)]
    keys = {
        "dx",
        "dy",
        "seeds",
        "x_step50",
        "y_step50",
        "x_step90",
        "y_step90",
        "ratio50",
        "ratio90",
        "curve_corr",
        "factorized_ratio50",
    }
    for v in out["variants"]:
        assert keys <= set(v)
        assert v["seeds"] == [0, 1] and len(v["x_step50_per_seed"]) == 2
    assert out["variants"][0]["n_x"] == 6 and out["variants"][0]["n_y"] == 3
    for sub in ["dx1-dy2-s0", "dx1-dy2-s1", "dx2-dy2-s0", "dx2-dy2-s1"]:
        assert (tmp_path / "imb" / sub / "checkpoints" / "step-6.safetensors").is_file()
    html = (tmp_path / "imb" / "report.html").read_text()
    assert "Per-axis" in html or "Learning curves per axis" in html
    assert "data:image/png;base64," in html
    # resuming picks up the finished sub-runs instead of retraining or re-analysing them
    before = (tmp_path / "imb" / "dx1-dy2-s0" / "metrics.jsonl").read_text()
    res = CliRunner().invoke(
        app, ["run", str(cfg_path), "--out", str(tmp_path / "imb"), "--resume"]
    )
    assert res.exit_code == 0, res.output
    assert (tmp_path / "imb" / "dx1-dy2-s0" / "metrics.jsonl").read_text() == before
