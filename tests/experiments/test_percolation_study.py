import json

from bumpdiff.experiments import run_experiment
from bumpdiff.store.runfolder import RunFolder
from tests.conftest import tiny_config


def test_tiny_percolation_run_writes_its_summary_and_report(tmp_path):
    cfg = tiny_config(
        "experiment=percolation",
        "percolation.sigmas=[0.7,1.5]",
        "percolation.fractions=[0.3,1.0]",
        "percolation.seeds=[0]",
        "percolation.repeats=5",
        "percolation.grid=11",
    )
    lines = run_experiment(cfg, tmp_path / "p", False, lambda _: None, progress=False)
    summary = json.loads((tmp_path / "p" / "percolation.json").read_text())
    assert len(summary["simulation"]) == 4 and len(summary["trained"]) == 4
    keep = next(t for t in summary["trained"] if t["fraction"] == 0.3)
    assert keep["heldout"][0] is not None  # some lattice points were not trained on
    full = next(t for t in summary["trained"] if t["fraction"] == 1.0)
    assert full["heldout"] == [None]
    assert set(summary["result"]["verdicts"]) == {"0.005", "0.05"}
    assert any("percolation threshold" in line for line in lines)
    sub = RunFolder(tmp_path / "p" / "sigma0.7-keep0.3-s0")
    assert sorted(sub.latest_by_step("eval")) == [6]  # only the last checkpoint is evaluated
    assert (tmp_path / "p" / "report.html").is_file()
