"""Shared fixtures: a tiny config that trains in seconds on 2 CPU cores, and a switch and counter
for the frozen sampling network."""

from __future__ import annotations

import pytest
import torch

from bumpdiff.config import build_config
from bumpdiff.diffusion import frozen
from bumpdiff.training import stops

TINY = {
    "seed": 0,
    "data": {"size": 8, "sigma": 1.0, "dx": 2.0, "dy": 2.0, "x_range": [1, 6], "y_range": [1, 6]},
    "model": {
        "channels": [8, 16],
        "layers_per_block": 1,
        "attention_levels": [1],
        "norm_groups": 8,
        "cond_freqs": 4,
    },
    "diffusion": {"timesteps": 50},
    "train": {
        "steps": 6,
        "batch_size": 8,
        "lr": 1e-3,
        "checkpoints": 3,
        "first_checkpoint": 2,
        "threads": 1,
    },
    "sample": {"sampler": "dpmpp", "steps": 4, "draws": 1},
    "probe": {
        "draws": 2,
        "t": 49,
        "umap_neighbors": 4,
        "knn": 4,
        "placement_t": 25,
        "placement_more_t": [10],
    },
}


def tiny_config(*overrides: str):
    return build_config(TINY, list(overrides))


@pytest.fixture(autouse=True)
def _no_stop_carried_over(monkeypatch):
    """A stop signal a test sends this process is forgotten after it (training/stops.py
    remembers stops for the rest of a process, which here is the whole suite)."""
    monkeypatch.setattr(stops, "_REQUESTED", [])


@pytest.fixture
def tiny():
    return tiny_config()


@pytest.fixture
def freezes(monkeypatch):
    """Counts the frozen traces made; ``freezes.on(bool)`` freezes every call or none."""

    class Count:
        made = 0

        def on(self, enabled: bool) -> None:
            monkeypatch.setattr(frozen, "MIN_IMAGE_CALLS", 1 if enabled else 10**12)

    count = Count()
    real = torch.jit.freeze

    def counting(*args, **kwargs):
        count.made += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(torch.jit, "freeze", counting)
    return count


@pytest.fixture(scope="session")
def _analysed_tiny(tmp_path_factory):
    """One tiny phases run, trained and analysed once for the whole suite."""
    from bumpdiff.experiments import run_experiment

    path = tmp_path_factory.mktemp("analysed-tiny") / "run"
    run_experiment(tiny_config(), path, False, lambda _: None, progress=False)
    return path


@pytest.fixture(scope="module")
def tiny_run(_analysed_tiny, tmp_path_factory):
    """A module's own copy of the analysed tiny run (a folder it may write)."""
    import shutil

    path = tmp_path_factory.mktemp("tiny-run") / "run"
    shutil.copytree(_analysed_tiny, path)
    return path
