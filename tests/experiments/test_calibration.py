"""The calibration experiment end to end on a small lattice: every cloud measured under every floor,
no confident wrong answer, the untrained network beside them, resumed without measuring again."""

import json

from conftest import tiny_config

from bumpdiff.experiments import run_experiment
from bumpdiff.experiments.calibration_stats import wrong
from bumpdiff.store.runfolder import RunFolder

SMALL = [
    "experiment=calibration",
    "data.dx=1",
    "data.dy=1",
    "probe.draws=4",
    "calibration.shares=[0.0,0.5]",
    "calibration.draws=[16]",
    "calibration.seeds=[0]",
    "calibration.floors=[0.8]",
    "calibration.features=32",
]


def test_a_small_calibration_measures_every_cloud_and_names_none_wrongly(tmp_path):
    cfg = tiny_config(*SMALL)
    lines = run_experiment(cfg, tmp_path / "c", False, lambda _m: None, progress=False)
    run = RunFolder(tmp_path / "c")
    data = json.loads(run.summary_path("calibration").read_text())
    kinds = sorted((r["kind"], r["share"]) for r in data["clouds"])
    assert kinds == [("noise", 0.0), ("permuted", 0.0), ("permuted", 0.5), ("relay", 0.0),
                     ("relay", 0.5), ("sheet", 0.0), ("sheet", 0.5)]  # fmt: skip
    assert not wrong(data["clouds"])
    by_kind = {(r["kind"], r["share"]): r["phase"] for r in data["clouds"]}
    assert by_kind[("noise", 0.0)] == "A" and by_kind[("sheet", 0.5)] == "C"
    assert {r["what"] for r in data["untrained"]} == {"layer", "encoder"}
    assert "| sheet | 16 |" in (run.root / "summary.md").read_text()
    assert (run.root / "report.html").is_file() and "7 clouds" in lines[0]
    before = run.summary_path("calibration").read_bytes()
    run_experiment(cfg, tmp_path / "c", True, lambda _m: None, progress=False)
    assert run.summary_path("calibration").read_bytes() == before  # nothing measured again
