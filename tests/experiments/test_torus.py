import json

import pytest

from bumpdiff.config import ConfigError
from bumpdiff.experiments import run_experiment
from tests.conftest import tiny_config

TORUS = ("experiment=torus", "data.periodic=true", "data.dx=2", "data.dy=2", "data.x_range=null",
         "data.y_range=null", "probe.draws=4")  # fmt: skip


def test_tiny_torus_run_writes_geometry_summary_and_report(tmp_path):
    cfg = tiny_config(*TORUS)
    lines = run_experiment(cfg, tmp_path / "t", False, lambda _: None, progress=False)
    data = json.loads((tmp_path / "t" / "torus.json").read_text())
    assert [r["step"] for r in data["checkpoints"]] == [0, 2, 3, 6]
    assert len(data["checkpoints"][0]["spectrum"]) == 15
    assert data["terminal"]["answer"] in ("factorized", "coupled", "undetermined")
    assert len(data["snapshots"]) == 3 and (tmp_path / "t" / "geometry" / "6.npz").is_file()
    assert any("closer to the coupled or the factorized torus" in line for line in lines)
    assert (tmp_path / "t" / "figures" / "torus-views.png").is_file()
    # the weight-shuffled last checkpoint, the control of the verdicts over seeds
    nulls = data["terminal"]["nulls"]
    assert (tmp_path / "t" / "geometry" / "shuffled.npz").is_file() and nulls["lattice"]
    assert nulls["shuffled"] != data["terminal"]["model"]["stats"]
    assert set(nulls["shuffled"]) == {"x_on_y", "x_on_x", "y_on_y"}


def test_torus_refuses_a_canvas_that_is_not_periodic():
    with pytest.raises(ConfigError, match="data.periodic: the torus experiment needs"):
        tiny_config("experiment=torus")
