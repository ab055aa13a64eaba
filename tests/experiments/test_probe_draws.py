"""The probe-draws study on a tiny trained run: one row per (checkpoint, draws), resumed without
measuring again; a missing source or checkpoint is refused naming the field."""

import pytest
from conftest import tiny_config

from bumpdiff.config import ConfigError
from bumpdiff.experiments import run_experiment
from bumpdiff.store.runfolder import RunFolder


def test_each_checkpoint_is_probed_with_each_number_of_draws(tmp_path):
    run_experiment(tiny_config(), tmp_path / "src", False, lambda _m: None, progress=False)
    study = tiny_config("experiment=probe_draws", f"probe_draws.source={tmp_path / 'src'}",
                        "probe_draws.steps=[0,6]", "probe_draws.draws=[2,4]")  # fmt: skip
    lines = run_experiment(study, tmp_path / "pd", False, lambda _m: None, progress=False)
    summary = RunFolder(tmp_path / "pd").read_summary("probe_draws")
    assert [(r.step, r.draws) for r in summary.rows] == [(0, 2), (0, 4), (6, 2), (6, 4)]
    assert all(r.phase in ("A", "B", "C", "undetermined") for r in summary.rows)
    assert lines[0].startswith("step 0: 2 draws ")
    path = RunFolder(tmp_path / "pd").summary_path("probe_draws")
    before = path.read_bytes()
    run_experiment(study, tmp_path / "pd", True, lambda _m: None, progress=False)
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("override", "field"),
    [("probe_draws.steps=[0,5]", "probe_draws.steps"), ("probe_draws.source=nowhere", "source")],
)
def test_a_missing_source_or_checkpoint_is_refused_naming_the_field(tmp_path, override, field):
    run_experiment(tiny_config(), tmp_path / "src", False, lambda _m: None, progress=False)
    study = tiny_config("experiment=probe_draws", f"probe_draws.source={tmp_path / 'src'}",
                        override)  # fmt: skip
    with pytest.raises(ConfigError, match=field):
        run_experiment(study, tmp_path / "pd", False, lambda _m: None, progress=False)
