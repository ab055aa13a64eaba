"""The noise profile can give each of its answers: the ideal conditional denoiser knows the
bump's place at every noise level, the ideal unconditional one only at low noise (training
images drawn here with NumPy, not the project's renderer); the peak is read as (x = column,
y = row); a checkpoint's profile sets the network beside both, and bad input is refused."""

import json

import numpy as np
import pytest
import torch
from conftest import tiny_config

from bumpdiff.analysis.noise_profile import (
    UNCONDITIONAL_BANDWIDTH,
    noise_profile_main,
    peak_at_centre,
    profile,
)
from bumpdiff.config import ConfigError, DiffusionConfig
from bumpdiff.diffusion.baselines import AnalyticDenoiser
from bumpdiff.diffusion.schedule import alphas_cumprod

N = 12


def _bumps(centres: np.ndarray) -> np.ndarray:
    """Gaussian bumps of width 1 on the model scale, (x, y) = (column, row)."""
    rows, cols = np.mgrid[0:N, 0:N]
    d2 = (cols[None] - centres[:, 0, None, None]) ** 2 + (
        rows[None] - centres[:, 1, None, None]
    ) ** 2
    return 2 * np.exp(-d2 / 2) - 1


def test_the_peak_is_read_as_column_x_and_row_y():
    image = torch.zeros(1, 1, N, N)
    image[0, 0, 2, 7] = 1.0  # row 2, column 7
    assert peak_at_centre(image, np.array([[7.0, 2.0]]))[0]
    assert not peak_at_centre(image, np.array([[2.0, 7.0]]))[0]


def test_the_ideal_conditional_denoiser_knows_the_place_at_every_level_the_unconditional_not():
    centres = np.array([[x, y] for x in range(2, 10) for y in range(2, 10)], float)
    train = _bumps(centres)
    abar = alphas_cumprod(DiffusionConfig(timesteps=1000))
    x0 = torch.from_numpy(train).float()[:, None]
    cond = torch.from_numpy(centres).float()
    levels = (1.0, 0.75, 0.02)  # t = 999, 749, 20
    knows = profile(AnalyticDenoiser(train, centres, abar), x0, cond, centres, abar, levels)
    blind = profile(AnalyticDenoiser(train, centres, abar, bandwidth=UNCONDITIONAL_BANDWIDTH),
                    x0, cond, centres, abar, levels)  # fmt: skip
    assert [r["at_bump"] for r in knows] == [1.0, 1.0, 1.0]
    assert all(r["eps_mse"] < 1e-6 and r["correlation"] > 0.999 for r in knows)
    assert blind[0]["at_bump"] < 0.2 and blind[0]["correlation"] < 0.5  # pure noise: the mean
    assert blind[-1]["at_bump"] == 1.0  # nearly clean: the image itself shows the place


def test_a_checkpoint_is_profiled_beside_both_references(tmp_path):
    from bumpdiff.training.loop import train

    run = train(tiny_config(), tmp_path / "run", progress=False, threads=1)
    out = tmp_path / "profile.json"
    assert noise_profile_main([str(out), str(run.checkpoint_path(6))]) == 0
    result = json.loads(out.read_text())["checkpoints"][0]
    assert result["step"] == 6 and set(result["profiles"]) == {
        "network", "ideal_conditional", "ideal_unconditional"}  # fmt: skip
    assert all(r["at_bump"] == 1.0 for r in result["profiles"]["ideal_conditional"])
    with pytest.raises(ConfigError, match="CHECKPOINT .* is not a file"):
        noise_profile_main([str(out), str(tmp_path / "missing.safetensors")])
    with pytest.raises(ConfigError, match="usage"):
        noise_profile_main([str(out)])
    permuted = train(tiny_config("data.permute_labels=true"), tmp_path / "p", progress=False,
                     threads=1)  # fmt: skip
    with pytest.raises(ConfigError, match="other than one bump at its label"):
        noise_profile_main([str(out), str(permuted.checkpoint_path(6))])
    assert json.loads(out.read_text())["checkpoints"][0]["step"] == 6  # the earlier file kept
