"""The one place that turns the config into a sampler, and per-image seeding through it."""

import numpy as np
import pytest

from bumpdiff.config import ConfigError, build_config
from bumpdiff.diffusion.network import init_model
from bumpdiff.diffusion.sampling import SamplerSpec, candidate_spec, generate, resolve_sampler

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
    assert candidate_spec(cfg, "ddpm") == SamplerSpec("ddpm", 400, clip=True)
    assert candidate_spec(cfg, "dpmpp:20").label == "dpmpp-20"
    assert candidate_spec(cfg, "ddpm:100:bf16").label == "ddpm-100-bf16"
    assert candidate_spec(cfg, "ddim:50:fp32:own:noclip").label == "ddim-50-noclip"
    unclipped = build_config(SMALL_T, ["sample.clip=false"])
    assert candidate_spec(unclipped, "ddim:50").clip is False  # no CLIP: the run's
    assert candidate_spec(unclipped, "ddim:50:fp32:own:clip").clip is True
    # Euler ancestral cannot clip: its label says so whatever the run's sample.clip
    assert candidate_spec(cfg, "euler_a:100").label == "euler_a-100-noclip"
    assert candidate_spec(cfg, "dpmpp_sde:50:fp32:brownian").clip is True  # thresholding at 1
    with pytest.raises(ValueError, match=r"CLIP must be one of clip, noclip \(clip: ddpm"):
        candidate_spec(cfg, "euler_a:100:fp32:own:clip")


@pytest.mark.parametrize("noise", ["own", "brownian"])
def test_a_candidates_clipping_overrides_the_runs(tiny, noise):
    """ "noclip" samples exactly as a run with sample.clip=false does, and differently from the
    clipped sampler (an untrained network's x̂₀ leaves [-1, 1], so clipping changes it)."""
    model = init_model(tiny).eval()
    cond = np.array([[2.0, 3.0], [5.0, 5.0]])
    clipped = tiny.model_copy(update={"sample": tiny.sample.model_copy(update={"clip": True})})
    off = tiny.model_copy(update={"sample": tiny.sample.model_copy(update={"clip": False})})
    spec = candidate_spec(clipped, f"ddpm:5:fp32:{noise}:noclip")
    images, _ = generate(model, clipped, cond, 2, 3, spec)
    same, _ = generate(model, off, cond, 2, 3, candidate_spec(off, f"ddpm:5:fp32:{noise}"))
    with_clip, _ = generate(
        model, clipped, cond, 2, 3, candidate_spec(clipped, f"ddpm:5:fp32:{noise}")
    )
    np.testing.assert_allclose(images, same, atol=1e-6)
    assert np.abs(images - with_clip).max() > 1e-3


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
