"""Samples and probe files are checked like checkpoints: a truncated, garbled, empty or
unrecorded file is named by ``report``, set aside by ``run --resume`` and its checkpoint
analysed again; a file and its row are committed together, so a failed write leaves the old
pair consistent."""

import hashlib

import pytest
from conftest import tiny_config
from typer.testing import CliRunner

from bumpdiff.cli import app
from bumpdiff.config import ConfigError
from bumpdiff.experiments import run_experiment
from bumpdiff.store.analysis_files import bad_files, read_recorded, set_aside, write_recorded
from bumpdiff.store.runfolder import RunFolder


@pytest.fixture(scope="module")
def analysed(tiny_run):
    return tiny_run


def _copy(analysed, tmp_path) -> RunFolder:
    import shutil

    shutil.copytree(analysed, tmp_path / "run")
    return RunFolder(tmp_path / "run")


DAMAGE = {
    "truncated": lambda b: b[: len(b) // 2],
    "garbled": lambda b: b[:200] + bytes(x ^ 0xFF for x in b[200:260]) + b[260:],
    "empty": lambda b: b"",
}


@pytest.mark.parametrize("part", ["eval", "probe"])
@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_file_is_named_set_aside_and_redone(analysed, tmp_path, part, damage):
    run = _copy(analysed, tmp_path)
    step = run.checkpoint_steps()[1]
    path = run.samples_path(step) if part == "eval" else run.probe_path(step)
    good = path.read_bytes()
    path.write_bytes(DAMAGE[damage](good))
    assert [(p, s, why) for p, s, _, why in bad_files(run)] == [(part, step, "corrupt")]
    res = CliRunner().invoke(app, ["report", str(run.root)])
    assert res.exit_code == 2 and path.name in res.output and "--resume" in res.output
    said = []
    run_experiment(tiny_config(), run.root, True, said.append, progress=False)
    assert any("set aside" in line and path.name in line for line in said)
    assert path.with_name(path.name + ".corrupt").is_file()
    assert bad_files(run) == [] and read_recorded(run, part, step)  # analysed again
    assert hashlib.sha256(path.read_bytes()).digest() == hashlib.sha256(good).digest()


def test_an_unrecorded_file_is_set_aside(analysed, tmp_path):
    run = _copy(analysed, tmp_path)
    stray = run.samples_path(99)
    stray.write_bytes(run.samples_path(run.checkpoint_steps()[0]).read_bytes())
    assert [why for *_, why in bad_files(run)] == ["unrecorded"]
    with pytest.raises(ConfigError, match="unrecorded"):
        read_recorded(run, "eval", 99)
    moved = set_aside(run)
    assert moved == [stray.with_name("99.npz.corrupt")] and not stray.exists()


def test_a_failed_row_leaves_the_old_file_and_row(analysed, tmp_path, monkeypatch):
    run = _copy(analysed, tmp_path)
    step = run.checkpoint_steps()[-1]
    before, row = run.samples_path(step).read_bytes(), run.latest_by_step("eval")[step]

    def full(*args):
        raise OSError(28, "No space left on device", str(run.metrics_path))

    monkeypatch.setattr(RunFolder, "log", full)
    with pytest.raises(OSError):
        write_recorded(run, "eval", step, row, images=read_recorded(run, "eval", step)["images"])
    monkeypatch.undo()
    assert run.samples_path(step).read_bytes() == before
    assert run.latest_by_step("eval")[step] == row and bad_files(run) == []
    assert not list(run.samples_path(step).parent.glob(".*.tmp"))  # nothing staged is left


def test_the_row_records_the_file_it_commits(analysed, tmp_path):
    run = _copy(analysed, tmp_path)
    for part, folder in (("eval", "samples"), ("probe", "probes")):
        for step, row in run.latest_by_step(part).items():
            data = (run.root / folder / f"{step}.npz").read_bytes()
            assert row.file_sha256 == hashlib.sha256(data).hexdigest()
