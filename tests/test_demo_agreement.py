"""results/demo_agreement.py: two analysed phases runs compared checkpoint by checkpoint."""

import json
import shutil

from conftest import script, tiny_config

from bumpdiff.experiments import run_experiment
from bumpdiff.store.runfolder import RunFolder


def _module():
    return script("results/demo_agreement.py")


def test_a_run_agrees_with_itself_and_a_changed_one_is_caught(tmp_path):
    run_experiment(tiny_config("sample.draws=4"), tmp_path / "a", False, print, progress=False)
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    same = _module().agreement(RunFolder(tmp_path / "a"), RunFolder(tmp_path / "b"))
    assert same["same_phase"] == same["checkpoints"] == 4
    assert same["fractions_within_z_se"] == same["fractions"] == 16
    phases = json.loads((tmp_path / "b" / "phases.json").read_text())
    first = phases[0]
    first["phase"] = "B" if first["phase"] != "B" else "C"
    moved = max(first["fractions"], key=first["fractions"].get)  # all its images move elsewhere
    other = next(o for o in first["fractions"] if o != moved)
    first["fractions"][other] += first["fractions"][moved]
    first["fractions"][moved] = 0.0
    (tmp_path / "b" / "phases.json").write_text(json.dumps(phases))
    changed = _module().agreement(RunFolder(tmp_path / "a"), RunFolder(tmp_path / "b"))
    assert changed["same_phase"] == 3
    assert changed["fractions_within_z_se"] == 14 and changed["largest_diff"] == 1.0
