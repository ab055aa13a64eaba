"""The one place that turns the config into a sampler, and per-image seeding through it."""

import numpy as np
import pytest

from bumpdiff.config import ConfigError, build_config
from bumpdiff.model import init_model
from bumpdiff.sampling import SamplerSpec, candidate_spec, generate, resolve_sampler

SMALL_T = {"diffusion": {"timesteps": 400}, "probe": {"t": 399, "placement_t": 200}}


def test_default_evaluation_sampler_is_the_papers_ddpm_with_t_steps():
    assert resolve_sampler(build_config(SMALL_T)) == SamplerSpec("ddpm", 400)
    cfg = build_config(SMALL_T, ["sample.steps=40", "sample.sampler=ddim"])
    assert resolve_sampler(cfg) == SamplerSpec("ddim", 40)
    with pytest.raises(ConfigError, match=r"sample.steps: must be in \[1, 400\].*got 401"):
        build_config(SMALL_T, ["sample.steps=401"])
    with pytest.raises(ConfigError, match="sample.steps"):
        build_config(SMALL_T, ["sample.steps=0"])


def test_candidates_default_to_t_steps_and_carry_their_precision():
    cfg = build_config(SMALL_T)
    assert candidate_spec(cfg, "ddpm") == SamplerSpec("ddpm", 400)
    assert candidate_spec(cfg, "dpmpp:20").label == "dpmpp-20"
    assert candidate_spec(cfg, "ddpm:100:bf16").label == "ddpm-100-bf16"


def test_generate_draws_each_image_from_its_own_seed(tiny):
    """Image r of a call is seeded with seed + r: the same image whatever the batch size."""
    model = init_model(tiny).eval()
    cond = np.array([[2.0, 3.0], [5.0, 5.0]])
    spec = SamplerSpec("ddpm", 5)
    images, conds = generate(model, tiny, cond, 2, 10, spec)
    assert images.shape == (4, 8, 8) and conds.tolist() == [[2, 3], [2, 3], [5, 5], [5, 5]]
    assert images.min() >= 0 and images.max() <= 1  # the data scale
    small = tiny.model_copy(update={"sample": tiny.sample.model_copy(update={"batch_size": 1})})
    again, _ = generate(model, small, cond[1:], 2, 12, spec)  # images 2, 3 alone, batch 1
    np.testing.assert_allclose(again, images[2:], atol=1e-6)
    assert not np.allclose(images[0], images[1])  # two draws of one condition differ
