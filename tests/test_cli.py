"""The `bumpdiff` command through typer's runner, and a tiny end-to-end phases run."""

import json

import pytest
import yaml
from conftest import TINY
from typer.testing import CliRunner

from bumpdiff.cli import app

runner = CliRunner()


@pytest.fixture
def tiny_yaml(tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(TINY))
    return path


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_dry_run_prints_the_resolved_config(tiny_yaml):
    res = invoke("train", tiny_yaml, "--out", "unused", "--dry-run", "--set", "train.lr=0.002")
    assert res.exit_code == 0, res.output
    cfg = yaml.safe_load(res.stdout)
    assert cfg["train"]["lr"] == 0.002 and cfg["probe"]["layer"] == "layer4"
    res = invoke("run", tiny_yaml, "--out", "unused", "--dry-run", "--device", "cpu")
    assert res.exit_code == 0 and yaml.safe_load(res.stdout)["train"]["device"] == "cpu"
    res = invoke("train", tiny_yaml, "--out", "unused", "--dry-run", "--device", "tpu")
    assert res.exit_code == 2 and "--device" in res.output
    # printed as written: rich would turn ":100:" into an emoji
    res = invoke("train", tiny_yaml, "--out", "unused", "--dry-run", "--set",
                 'samplers.candidates=["ddpm:100:fp32:brownian"]')  # fmt: skip
    assert yaml.safe_load(res.stdout)["samplers"]["candidates"] == ["ddpm:100:fp32:brownian"]


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ("train.lr=-1", "train.lr"),
        ("data.sigma=0", "data.sigma"),
        ("train.device=tpu", "train.device"),
        ("data.x_range=[0,9]", "data.x_range"),
        ("model.channels=[8,12]", "model.channels"),
    ],
)
def test_bad_values_exit_2_with_one_line_naming_the_field(tiny_yaml, tmp_path, override, field):
    res = invoke("train", tiny_yaml, "--out", tmp_path / "r", "--set", override)
    assert res.exit_code == 2
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert len(lines) == 1 and field in lines[0] and "got" in lines[0], res.output
    assert not (tmp_path / "r").exists()


def test_missing_config_and_missing_run(tmp_path):
    res = invoke("train", tmp_path / "nope.yaml", "--out", tmp_path / "r")
    assert res.exit_code == 2 and "file not found" in res.output
    res = invoke("evaluate", tmp_path / "no-run", "--step", 3)
    assert res.exit_code == 2 and "not a bumpdiff run folder" in res.output


def test_train_sample_evaluate_probe(tiny_yaml, tmp_path):
    run = tmp_path / "run"
    res = invoke("train", tiny_yaml, "--out", run)
    assert res.exit_code == 0, res.output
    res = invoke(
        "sample",
        run,
        "--step",
        6,
        "--at",
        "3.5,5",
        "--at",
        "2,2",
        "-n",
        2,
        "--sampler",
        "ddim",
        "--steps",
        5,
    )
    assert res.exit_code == 0, res.output
    assert (run / "samples" / "6-1.npz").is_file() and (run / "figures" / "samples-6.png").is_file()
    assert not (run / "samples" / "6.npz").exists()  # the evaluation's name, never a user's
    res = invoke("sample", run, "--step", 6, "--at", "2,2", "-n", 1, "--steps", 3)
    assert res.exit_code == 0 and (run / "samples" / "6-2.npz").is_file()  # nothing overwritten
    res = invoke("sample", run, "--step", 6, "--at", "9,3")
    assert res.exit_code == 2 and "mu_x: must be in [0, 7], got 9" in res.output
    res = invoke("sample", run, "--step", 6, "--at", "3,3", "-n", 0)
    assert res.exit_code == 2 and res.output.strip() == "error: -n: must be in [1, 100000], got 0"
    res = invoke("sample", run, "--step", 4, "--at", "3,3")
    assert res.exit_code == 2 and "step (--step): must be one of [0, 2, 3, 6], got 4" in res.output
    res = invoke("evaluate", run, "--step", 6, "--steps", 51)
    assert res.exit_code == 2 and "sample.steps (--steps): must be in [1, 50]" in res.output
    assert "got 51" in res.output
    res = invoke("evaluate", run, "--all")
    assert res.exit_code == 0, res.output
    assert res.stdout.count("accuracy") == 4
    rows = [json.loads(x) for x in (run / "metrics.jsonl").read_text().splitlines()]
    assert sum(r["event"] == "eval" for r in rows) == 4
    assert (run / "figures" / "examples-6.png").is_file()  # example images per outcome
    assert (run / "figures" / "outcomes.png").is_file()
    res = invoke("probe", run, "--step", 6)
    assert res.exit_code == 0 and "phase" in res.stdout and (run / "probes" / "6.npz").is_file()
    res = invoke("train", tiny_yaml, "--out", run)  # refuses to overwrite, loses nothing
    assert res.exit_code == 2 and "already holds checkpoints" in res.output


def test_version_prints_the_package_version():
    from bumpdiff import __version__

    res = CliRunner().invoke(app, ["--version"])
    assert res.exit_code == 0 and res.output.strip() == f"bumpdiff {__version__}"


def test_every_command_s_help_has_an_example_and_shows_each_flag_once():
    import typer.main

    commands = typer.main.get_command(app).commands
    for name in commands:
        res = CliRunner().invoke(app, [name, "--help"])
        assert res.exit_code == 0 and f"Example: bumpdiff {name}" in res.output, name
        assert "--no-no-" not in res.output, name


def test_a_tiny_run_with_anisotropic_bumps(tiny_yaml, tmp_path):
    """Widths per axis (data.sigma, data.sigma_y) reach training, evaluation and the probe."""
    res = invoke("run", tiny_yaml, "--out", tmp_path / "r", "--set", "data.sigma=0.7",
                 "--set", "data.sigma_y=1.3")  # fmt: skip
    assert res.exit_code == 0, res.output
    saved = yaml.safe_load((tmp_path / "r" / "config.yaml").read_text())["data"]
    assert (saved["sigma"], saved["sigma_y"]) == (0.7, 1.3)
