"""The one resume rule of every experiment: a used folder needs --resume, a finished model is left
alone, an unfinished one continues from its latest checkpoint."""

import pytest

from bumpdiff.config import ConfigError
from bumpdiff.experiments import open_for_run
from bumpdiff.experiments.base import train_to_end
from bumpdiff.store.runfolder import RunFolder


def test_train_to_end_continues_and_leaves_a_finished_run_alone(tmp_path, tiny):
    run = RunFolder(tmp_path / "run")
    short = tiny.model_copy(update={"train": tiny.train.model_copy(update={"steps": 3})})
    train_to_end(short, run, print, progress=False)
    assert run.checkpoint_steps()[-1] == 3
    said = []
    train_to_end(tiny, run, said.append, progress=False)  # steps 3 → 6
    assert run.checkpoint_steps()[-1] == 6 and "from step 3" in said[0]
    before = run.metrics_path.read_text()
    train_to_end(tiny, run, said.append, progress=False)
    assert run.metrics_path.read_text() == before  # finished: nothing trained, nothing logged


def test_a_used_folder_needs_resume_and_the_same_config(tmp_path, tiny):
    root = open_for_run(tiny, tmp_path / "exp", resume=False)
    assert root.read_config() == tiny
    with pytest.raises(ConfigError, match="out: .* already holds a run"):
        open_for_run(tiny, tmp_path / "exp", resume=False)
    assert open_for_run(tiny, tmp_path / "exp", resume=True).root == root.root
    other = tiny.model_copy(update={"seed": 5})
    with pytest.raises(ConfigError, match="differs from the run being resumed"):
        open_for_run(other, tmp_path / "exp", resume=True)
