"""Analytic denoisers with known answers: the ideal denoiser of a one-image training set returns
that image from its x_t at every t; the patch denoiser with P = the image size is the ideal one;
a patch denoiser with small P, sampled from noise on a two-bump training set, makes an image
with more than one bump (a mosaic no training image is)."""

import numpy as np

from bumpdiff.diffusion.baselines import ideal_denoiser, patch_denoiser
from bumpdiff.scoring.detect import find_bumps

N = 10


def _bump(x: float, y: float) -> np.ndarray:
    rows, cols = np.mgrid[0:N, 0:N]
    return 2 * np.exp(-((cols - x) ** 2 + (rows - y) ** 2) / 2.0) - 1  # model scale


def test_the_ideal_denoiser_of_one_image_returns_it_at_every_t():
    image = _bump(3.0, 6.0)[None]
    rng = np.random.default_rng(0)
    for abar in (0.999, 0.5, 0.01):
        x_t = np.sqrt(abar) * image[0] + np.sqrt(1 - abar) * rng.normal(size=(N, N))
        got = ideal_denoiser(x_t, abar, image, np.array([[3.0, 6.0]]), np.array([3.0, 6.0]))
        assert np.allclose(got, image[0])


def test_the_patch_denoiser_with_the_image_size_is_the_ideal_one():
    train = np.stack([_bump(2, 2), _bump(7, 3), _bump(5, 8)])
    labels = np.array([[2, 2], [7, 3], [5, 8]], float)
    rng = np.random.default_rng(1)
    for abar in (0.9, 0.3):
        x_t = rng.normal(size=(N, N))
        for mu, h in ((np.array([7.0, 3.0]), 0.0), (np.array([4.0, 4.0]), 3.0)):
            ideal = ideal_denoiser(x_t, abar, train, labels, mu, h)
            assert np.allclose(patch_denoiser(x_t, abar, train, labels, mu, N, h), ideal)


def _sample(denoise, seed: int, steps: int = 30) -> np.ndarray:
    """DDIM (η = 0) from noise with x̂₀ from ``denoise(x_t, abar)``, on a cosine-like ᾱ."""
    abars = np.linspace(0.002, 0.999, steps)
    x = np.random.default_rng(seed).normal(size=(N, N))
    for a, a_next in zip(abars[:-1], abars[1:]):
        x0 = np.clip(denoise(x, a), -1, 1)
        eps = (x - np.sqrt(a) * x0) / np.sqrt(1 - a)
        x = np.sqrt(a_next) * x0 + np.sqrt(1 - a_next) * eps
    return np.clip(denoise(x, abars[-1]), -1, 1)


def test_a_small_patch_denoiser_makes_a_mosaic_of_two_bumps():
    train = np.stack([_bump(2.5, 2.5), _bump(7.0, 7.0)])
    labels = np.zeros((2, 2))  # one label for both: unconditional
    mu = np.zeros(2)
    counts = []
    for seed in range(6):
        image = _sample(lambda x, a: patch_denoiser(x, a, train, labels, mu, 3), seed)
        counts.append(int(find_bumps((image[None] + 1) / 2, 0.25).count[0]))
    ideal = [_sample(lambda x, a: ideal_denoiser(x, a, train, labels, mu), s) for s in range(6)]
    ideal_counts = [int(find_bumps((im[None] + 1) / 2, 0.25).count[0]) for im in ideal]
    assert max(counts) > 1  # local windows chose different bumps in one image
    assert ideal_counts == [1] * 6  # the ideal denoiser only ever returns a training image


def _abar() -> np.ndarray:
    return np.linspace(0.999, 0.01, 100)


def test_the_batched_denoiser_equals_the_numpy_reference_for_each_patch_and_bandwidth():
    """AnalyticDenoiser (what the samplers run) against the per-image functions above, on a
    training set with two images at one label (so the posterior mixes) and off-label μ."""
    import torch

    from bumpdiff.diffusion.baselines import AnalyticDenoiser

    train = np.stack([_bump(2, 2), _bump(7, 3), _bump(5, 8), _bump(3, 3)])
    labels = np.array([[2, 2], [7, 3], [5, 8], [2, 2]], float)
    rng = np.random.default_rng(2)
    x_t = rng.normal(size=(3, 1, N, N))
    t = np.array([5, 40, 90])
    mu = np.array([[2.0, 2.0], [6.0, 4.0], [5.0, 8.0]])
    for patch, h in ((None, 0.0), (3, 0.0), (5, 2.0), (4, 0.0)):
        net = AnalyticDenoiser(train, labels, _abar(), patch, h)
        got = net.x0_hat(torch.tensor(x_t), torch.tensor(t), torch.tensor(mu)).numpy()
        for i in range(3):
            want = patch_denoiser(x_t[i, 0], _abar()[t[i]], train, labels, mu[i], patch or N, h)
            assert np.allclose(got[i, 0], want, atol=1e-9), (patch, h, i)
        eps = net(torch.tensor(x_t, dtype=torch.float32), torch.tensor(t), torch.tensor(mu))
        a = _abar()[t].reshape(-1, 1, 1, 1)
        assert np.allclose(eps.numpy(), (x_t - np.sqrt(a) * got) / np.sqrt(1 - a), atol=1e-5)


def test_the_samplers_run_the_ideal_denoiser_to_its_training_image():
    """Through the project's own sampler (the same call the network goes through): with one
    training image per label and bandwidth 0, DDPM ends on the image of the label asked for."""
    import torch

    from bumpdiff.config import DiffusionConfig
    from bumpdiff.diffusion.baselines import AnalyticDenoiser
    from bumpdiff.diffusion.schedule import alphas_cumprod, sample

    train = np.stack([_bump(2, 2), _bump(7, 3)])
    labels = np.array([[2, 2], [7, 3]], float)
    cfg = DiffusionConfig(timesteps=100)
    net = AnalyticDenoiser(train, labels, alphas_cumprod(cfg).numpy())
    cond = torch.tensor([[7.0, 3.0], [2.0, 2.0]])
    out = sample(net, cond, cfg, "ddpm", 50, [0, 1]).numpy()[:, 0]
    assert np.allclose(out, train[[1, 0]], atol=0.02)
