"""What bumpdiff prints cannot crash or flood: paths and values that look like Rich markup are
printed verbatim (a run into such a folder ends normally), echoed values are shortened, and the
message of a stopped command suggests only options the command has."""

import yaml
from conftest import TINY
from typer.testing import CliRunner

import bumpdiff.experiments as experiments
from bumpdiff.cli import app

runner = CliRunner()


def test_a_run_into_a_folder_named_like_markup_ends_normally_and_says_its_path(tmp_path):
    cfg = tmp_path / "tiny.yaml"
    cfg.write_text(yaml.safe_dump(TINY))
    for name in ("r[/q]", "r[bold]x", "[link=x]r"):
        res = runner.invoke(app, ["train", str(cfg), "--out", str(tmp_path / name)])
        assert res.exit_code == 0, res.output
        assert str(tmp_path / name) in res.output.replace("\n", "")


def test_a_huge_value_is_echoed_short(tmp_path):
    cfg = tmp_path / "tiny.yaml"
    cfg.write_text(yaml.safe_dump(TINY))
    huge = "[" + ",".join(["1"] * 50_000) + "]"
    res = runner.invoke(app, ["train", str(cfg), "--out", str(tmp_path / "o"), "--set",
                              f"train.steps={huge}"])  # fmt: skip
    assert res.exit_code == 2 and "train.steps" in res.output
    assert len(res.output) < 500


def test_a_stopped_report_does_not_suggest_resume_and_a_stopped_run_does(tmp_path, monkeypatch):
    def stop(*args, **kwargs):
        raise KeyboardInterrupt

    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "config.yaml").write_text(yaml.safe_dump(TINY))
    monkeypatch.setattr(experiments, "report_run", stop)
    res = runner.invoke(app, ["report", str(tmp_path / "r")])
    assert res.exit_code == 130 and "interrupted" in res.output and "--resume" not in res.output
    monkeypatch.setattr(experiments, "run_experiment", stop)
    cfg = tmp_path / "tiny.yaml"
    cfg.write_text(yaml.safe_dump(TINY))
    res = runner.invoke(app, ["run", str(cfg), "--out", str(tmp_path / "o")])
    assert res.exit_code == 130 and "--resume" in res.output
