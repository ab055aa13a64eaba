"""Checkpoints: a corrupt or missing file is a one-line error."""

import pytest

from bumpdiff.config import ConfigError
from bumpdiff.store.checkpoint import load_model
from bumpdiff.training.loop import train


def test_corrupt_checkpoint_gives_a_clear_error(tmp_path, tiny):
    run = train(tiny, tmp_path / "run", progress=False)
    path = run.checkpoint_path(6)
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(ConfigError, match=r"checkpoint: .*step-6.safetensors is corrupt"):
        load_model(path)
    with pytest.raises(ConfigError, match="checkpoint: file not found"):
        load_model(tmp_path / "missing.safetensors")
