"""The trajectory threshold's calibration on a tiny trained run: the layers with a known answer
get it under the threshold chosen (features of μ at 40 % of the variance: C at every checkpoint;
features of p: B or C wherever enough samples have a bump), the threshold lies above every null
layer's bootstrap low, and the evidence tool refuses a run that captures nothing."""

from conftest import tiny_config

from bumpdiff.analysis.trajectory_calibration import calibrate, kind_of
from bumpdiff.experiments import run_experiment
from bumpdiff.store.runfolder import RunFolder

SETTINGS = ("sample.draws=4", "sample.sampler=ddpm", "sample.steps=10", "probe.knn=3")


def test_known_layers_get_their_phase_under_the_chosen_threshold(tmp_path):
    cfg = tiny_config(*SETTINGS, "trajectory.t=[40,20,0]")
    run_experiment(cfg, tmp_path / "r", False, print, progress=False)
    result = calibrate(RunFolder(tmp_path / "r"), log=lambda _: None)
    steps = RunFolder(tmp_path / "r").checkpoint_steps()
    assert set(result["phases"]["condition@0.4"].values()) == {"C"}
    assert len(result["phases"]["trained"]) == len(steps)
    null_lows = [c[f"learned_{t}_low"] for c in result["cases"] if kind_of(c["layer"]) == "null"
                 for t in ("condition", "generated")]  # fmt: skip
    assert max(null_lows) < result["min_learned"] <= max(null_lows) + 0.01 + 1e-9
    assert "A" not in result["phases"]["generated@0.4"].values()
    assert result["detectable_learned"] > result["min_learned"]


def test_the_evidence_tool_refuses_a_run_without_captured_timesteps(tmp_path, capsys):
    from bumpdiff.experiments.evidence import TOOLS

    run_experiment(tiny_config(*SETTINGS), tmp_path / "r", False, print, progress=False)
    tool, out = TOOLS["trajectory-calibration"], str(tmp_path / "o.json")
    assert tool([out, str(tmp_path / "r")]) == 2
    assert "trajectory.t" in capsys.readouterr().err
    assert tool([out, str(tmp_path / "r"), "9,x"]) == 2
    assert "T:" in capsys.readouterr().err
    assert not (tmp_path / "o.json").exists()
