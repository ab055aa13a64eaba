"""``bumpdiff dynamics`` from the command line: it measures a tiny run and prints the answers;
a folder that is no run, a checkpoint it lacks and a bad setting each give one line and exit 2."""

import pytest
from typer.testing import CliRunner

from bumpdiff.cli import app

FAST = ["--set", "mechanisms.fit_images=4", "--set", "mechanisms.fit_t=[5]", "--set",
        "eval.off_lattice=4", "--set", "mechanisms.baseline_conditions=2"]  # fmt: skip


@pytest.fixture(scope="module")
def run_path(tiny_run):
    return tiny_run


def test_dynamics_measures_a_run_and_prints_its_answers(run_path):
    res = CliRunner().invoke(app, ["dynamics", str(run_path), "--step", "6", *FAST])
    assert res.exit_code == 0, res.output
    assert "Between the lattice points" in res.stdout and "dynamics.json" in res.stdout
    assert (run_path / "mechanisms.html").is_file()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--step", "5"], "step"),
        (["--set", "mechanisms.patch_sizes=[4]"], "mechanisms.patch_sizes"),
        (
            ["--set", "mechanisms.patch_sizes=[9]"],
            "mechanisms.patch_sizes: each must be ≤ data.size",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(run_path, args, message):
    res = CliRunner().invoke(app, ["dynamics", str(run_path), *args])
    assert res.exit_code == 2 and message in res.stderr and len(res.stderr.splitlines()) == 1


def test_a_folder_that_is_no_run_is_refused(tmp_path):
    res = CliRunner().invoke(app, ["dynamics", str(tmp_path)])
    assert res.exit_code == 2 and "not a bumpdiff run folder" in res.stderr
