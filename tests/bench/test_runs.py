"""Speed evidence from finished runs (``bumpdiff evidence demo-…``): runs of two sides timed,
medians and their ratio; bad arguments exit 2 and write nothing."""

import json
import shutil

from conftest import tiny_config

import bumpdiff.bench.runs as module
from bumpdiff.experiments import run_experiment


def test_two_sides_give_medians_and_their_ratio(tmp_path, capsys):
    run_experiment(tiny_config(), tmp_path / "a", False, print, progress=False)
    for name, wall in (("b", 30.0), ("c", 40.0), ("d", 20.0)):
        shutil.copytree(tmp_path / "a", tmp_path / name)
        (tmp_path / f"{name}.wall").write_text(f"{wall}\n")
    (tmp_path / "a.wall").write_text("60.0\n")
    out = tmp_path / "side.json"
    before, after = f"before={tmp_path / 'a'},{tmp_path / 'c'}", f"after={tmp_path / 'd'}"
    assert module.side_by_side_main([str(out), before, after]) == 0
    result = json.loads(out.read_text())
    assert result["median_seconds"] == {"before": 50.0, "after": 20.0}
    assert result["ratio_to_before"] == {"before": 1.0, "after": 0.4}
    run = result["runs"]["after"][0]
    assert run["end_to_end_seconds"] == 20.0 and run["sampling_seconds"] > 0
    assert "after 20 s" in capsys.readouterr().out
    row = module.cells(result)
    assert row["before"].startswith("| 60 and 40 | 50 | ") and row["before"].endswith(" | 1 |")
    assert row["after"].startswith("| 20 | 20 | ") and row["after"].endswith(" | 0.4 |")
    assert module.side_by_side_main([str(tmp_path / "x.json"), before]) == 2  # no "after"
    assert module.side_by_side_main([str(tmp_path / "x.json"), before, after, "stray"]) == 2
    assert not (tmp_path / "x.json").exists()
    middle = f"cache={tmp_path / 'b'}"  # an intermediate version
    assert module.side_by_side_main([str(out), before, after, middle]) == 0
    assert json.loads(out.read_text())["ratio_to_before"]["cache"] == 0.6


def test_the_trajectory_cost_adds_the_probes_seconds_and_the_sampling_difference(tmp_path):
    from bumpdiff.store.runfolder import RunFolder

    settings = ("sample.sampler=ddpm", "sample.steps=10")
    on = tiny_config(*settings, "trajectory.t=[25]")
    run_experiment(on, tmp_path / "on", False, print, progress=False)
    run_experiment(tiny_config(*settings), tmp_path / "off", False, print, progress=False)
    result = module.trajectory_cost(RunFolder(tmp_path / "on"), RunFolder(tmp_path / "off"))
    assert result["checkpoints"] == 4 and result["probe_seconds"] > 0
    rows = result["per_checkpoint"]
    added = sum(r["sampling_with"] - r["sampling_without"] for r in rows)
    assert result["added_process_seconds"] == added + result["probe_seconds"]
    assert module.trajectory_cost_main([str(tmp_path / "x.json")]) == 2
