"""The imbalanced experiment: synthetic learners with a known answer go through the same curve,
summary and verdict code; a tiny run end to end."""

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import TINY, tiny_config
from typer.testing import CliRunner

from bumpdiff.cli import app
from bumpdiff.config import ConfigError
from bumpdiff.experiments.imbalanced import (
    _coupled_from,
    reference_config,
    reference_rows,
    summarise_variants,
)

STEPS = np.array([0, 10, 20, 40, 80, 160, 320, 640, 1280, 2560])
# read to 0.5 px: on the tiny lattices (1..6) no axis is then right without its condition
# (design_power.blind_accuracy; read to 1 px, a value and its neighbours would be half of them)
READ = "eval.tolerance=0.5"
CFG = tiny_config("imbalanced.variants=[[1.0,2.0],[2.0,2.0]]", "imbalanced.seeds=[0,1,2]", READ)


def logistic(midpoint: float) -> np.ndarray:
    return 1 / (1 + np.exp(-(np.log1p(STEPS) - np.log1p(midpoint)) / 0.3))


def learner(x_mid, y_mid, noise: float = 0.0):
    """Synthetic curves per member: x_mid(name) / y_mid(name) give each axis's midpoint step."""

    def curves_of(name: str) -> dict:
        seed = int(name.rsplit("-s", 1)[1])
        jitter = np.exp(np.random.default_rng([seed, len(name)]).normal(0, noise, 2))
        x, y = logistic(x_mid(name) * jitter[0]), logistic(y_mid(name) * jitter[1])
        return {"steps": STEPS, "x_acc": x, "y_acc": y}

    return curves_of


def _pace(name: str) -> float:
    """Each axis alone: x with spacing 1 (6 values) takes 4× as long as with spacing 2."""
    return 400.0 if name.startswith(("x1-", "dx1-")) else 100.0


@pytest.mark.parametrize(
    ("curves_of", "verdict"),
    [
        # the 2D model learns x at x's own 1D pace and y at y's: factorized
        (learner(_pace, lambda n: 100.0), "factorized"),
        # the 2D model learns x and y together, whatever their 1D paces: coupled
        (learner(lambda n: _pace(n) if n[0] in "xy" else 100.0, lambda n: 100.0), "coupled"),
        # seeds scattered by a factor of e per seed: the data cannot tell
        (learner(_pace, lambda n: 100.0, noise=1.5), "undetermined"),
    ],
    ids=["factorized", "coupled", "noisy"],
)
def test_synthetic_learners_get_the_right_verdict(curves_of, verdict):
    summary = summarise_variants(CFG, curves_of)
    dense = summary.variants[0]
    assert dense.verdict == verdict, summary.verdict
    assert summary.variants[1].verdict == "undetermined"  # balanced: both predictions are 1
    assert f"**{verdict}**" in summary.verdict


def test_a_reference_varies_one_axis_only_and_is_evaluated_on_as_many_images():
    cfg = tiny_config("sample.max_conditions=36")
    ref = reference_config(cfg, "x", 1.0, 3)
    assert ref.data.dx == 1.0 and ref.data.y_range == (3.5, 3.5) and ref.seed == 3
    assert ref.sample.draws * 6 >= 36  # 6 x values: 6 draws each, like the 6 × 6 2D lattice


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
    for v in out["variants"]:
        assert v["seeds"] == [0, 1] and len(v["x_step50_per_seed"]) == 2
        assert len(v["factorized_ratio50_per_seed"]) == 2 and v["measure"] == "dominant"
        assert v["verdict"] in {"coupled", "factorized", "undetermined"}
    assert out["variants"][0]["n_x"] == 6 and out["variants"][0]["n_y"] == 3
    members = ["dx1-dy2-s0", "dx2-dy2-s1", "x1-s0", "x2-s1", "y2-s0", "y2-s1"]
    for sub in members:
        assert (tmp_path / "imb" / sub / "checkpoints" / "step-6.safetensors").is_file()
        metrics = (tmp_path / "imb" / sub / "metrics.jsonl").read_text()
        assert '"event":"eval"' in metrics.replace(" ", "")
        assert '"event":"probe"' not in metrics.replace(" ", "")  # coupling reads no probe
    html = (tmp_path / "imb" / "report.html").read_text()
    assert "Learning curves per axis" in html and "data:image/png;base64," in html
    # resuming picks up the finished sub-runs instead of retraining or re-analysing them
    before = (tmp_path / "imb" / "dx1-dy2-s0" / "metrics.jsonl").read_text()
    res = CliRunner().invoke(
        app, ["run", str(cfg_path), "--out", str(tmp_path / "imb"), "--resume"]
    )
    assert res.exit_code == 0, res.output
    assert (tmp_path / "imb" / "dx1-dy2-s0" / "metrics.jsonl").read_text() == before


def test_reference_rows_give_each_seeds_known_log_ratio():
    """Each axis alone, x at 4× y's pace: every seed's log ratio is log 4 (a design's
    factorized prediction, read by the power analysis)."""
    cfg = tiny_config("imbalanced.variants=[[1.0,2.0]]", "imbalanced.seeds=[0,1,2]",
                      "imbalanced.stage=references")  # fmt: skip
    (row,) = reference_rows(cfg, learner(_pace, lambda n: 100.0))
    assert row["reached"] == 3 and row["seeds"] == [0, 1, 2]
    assert np.allclose(row["log_ratio50_per_seed"], np.log(4.0), atol=0.02)


def test_tiny_references_stage_of_an_anisotropic_design(tmp_path):
    """Only each axis alone is trained (no 2D member), with the design's widths."""
    design = {"variants": [[1.0, 2.0]], "seeds": [0], "stage": "references"}
    tree = {**TINY, "experiment": "imbalanced", "data": {**TINY["data"], "sigma_y": 1.5},
            "imbalanced": design}  # fmt: skip
    cfg_path = tmp_path / "imb.yaml"
    cfg_path.write_text(yaml.safe_dump(tree))
    res = CliRunner().invoke(app, ["run", str(cfg_path), "--out", str(tmp_path / "imb")])
    assert res.exit_code == 0, res.output
    subs = sorted(p.name for p in (tmp_path / "imb").iterdir() if p.is_dir() and "-s" in p.name)
    assert subs == ["x1-s0", "y2-s0"]
    out = json.loads((tmp_path / "imb" / "references.json").read_text())
    assert out["data"]["sigma_y"] == 1.5 and out["rows"][0]["dx"] == 1.0
    assert len(out["rows"][0]["x_step50_per_seed"]) == 1
    assert "no 2D run yet" in (tmp_path / "imb" / "report.html").read_text()
    assert not (tmp_path / "imb" / "coupling.json").exists()


@pytest.mark.parametrize(
    ("curves_of", "verdict"),
    [
        (learner(_pace, lambda n: 100.0), "factorized"),
        (learner(lambda n: _pace(n) if n[0] in "xy" else 100.0, lambda n: 100.0), "coupled"),
    ],
    ids=["factorized", "coupled"],
)
def test_a_balanced_design_is_judged_against_another_studys_balanced_data(curves_of, verdict):
    """A design on a balanced lattice whose axes differ otherwise (e.g. in width): its own
    variant is judged, the coupled prediction coming from a finished study's balanced data."""
    cfg = tiny_config("imbalanced.variants=[[1.0,1.0]]", "imbalanced.seeds=[0,1,2]", READ)
    summary = summarise_variants(cfg, curves_of, coupled_from=[1.0, 1.05, 0.95])
    (row,) = summary.variants
    assert row.verdict == verdict and row.coupled_ratio50_per_seed == [1.0, 1.05, 0.95]
    assert f"**{verdict}**" in summary.verdict


def test_coupled_from_must_name_a_study_with_balanced_data(tmp_path):
    cfg = tiny_config(f"imbalanced.coupled_from={tmp_path / 'coupling.json'}")
    with pytest.raises(ConfigError, match="imbalanced.coupled_from: no coupling.json"):
        _coupled_from(cfg)
    (tmp_path / "coupling.json").write_text(json.dumps({"variants": [], "verdict": "none"}))
    with pytest.raises(ConfigError, match="no balanced variant"):
        _coupled_from(cfg)


def test_coupled_from_takes_a_study_under_any_name_read_with_this_studys_tolerances(tmp_path):
    committed = Path(__file__).parents[2] / "results" / "imbalanced" / "balanced-finex.json"
    balanced = json.loads(committed.read_text())
    study = tmp_path / "balanced-finex.json"
    for tol_x, fine in ((0.25, True), (None, False)):
        study.write_text(json.dumps({**balanced, "eval_tolerance": 1.0, "eval_tolerance_x": tol_x}))
        cfg = tiny_config(f"imbalanced.coupled_from={study}", "eval.tolerance=1.0",
                          "eval.tolerance_x=0.25")  # fmt: skip
        if fine:
            assert _coupled_from(cfg) == balanced["variants"][0]["ratio50_per_seed"]
        else:
            with pytest.raises(ConfigError, match="another eval_tolerance_x"):
                _coupled_from(cfg)
