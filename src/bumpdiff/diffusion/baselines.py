"""Analytic denoisers of a training set, without training (after Kamb & Ganguli 2025, "An
analytic theory of creativity in convolutional diffusion models"); pure NumPy.

Images are on the model scale; ``abar`` is ᾱ_t. The **ideal denoiser** is the exact posterior
mean of x₀ given x_t under the empirical training distribution, conditioned on μ by a Gaussian
kernel over the labels (bandwidth 0: only the images of that very label):

    x̂₀ = Σ_i w_i x0_i,  w_i ∝ k(μ, l_i) · exp(−‖x_t − √ᾱ x0_i‖² / (2 (1 − ᾱ))).

The **patch denoiser** computes the same posterior mean pixel by pixel from P × P windows: pixel
(a, b) is read from the window of x_t that holds it (centred on it where the frame allows),
matched against every P × P window of every training image at every position (translation
equivariant) and taken at the same place within the matched windows. It is local: far pixels
may follow different training windows, so it can make images no training image is (a mosaic).
With P equal to the image size each image has one window and it is the ideal denoiser.
"""

from __future__ import annotations

import numpy as np
from scipy.special import logsumexp


def label_weights(mu: np.ndarray, labels: np.ndarray, bandwidth: float) -> np.ndarray:
    """log k(μ, l_i) for one condition μ (2,) against labels (m, 2): a Gaussian kernel, or with
    bandwidth 0 the images of the nearest label only."""
    d2 = ((np.asarray(labels, float) - np.asarray(mu, float)) ** 2).sum(axis=1)
    if bandwidth > 0:
        return -d2 / (2 * bandwidth**2)
    return np.where(np.isclose(d2, d2.min()), 0.0, -np.inf)


def _posterior(distances2: np.ndarray, log_prior: np.ndarray, abar: float) -> np.ndarray:
    """Normalised weights from squared distances (…, m) and a log prior (m,)."""
    logits = log_prior - distances2 / (2 * (1 - abar))
    return np.exp(logits - logsumexp(logits, axis=-1, keepdims=True))


def ideal_denoiser(
    x_t: np.ndarray,
    abar: float,
    train: np.ndarray,
    labels: np.ndarray,
    mu: np.ndarray,
    bandwidth: float = 0.0,
) -> np.ndarray:
    """x̂₀ (N, N) of one x_t (N, N) under condition μ, from training images (m, N, N)."""
    flat = train.reshape(len(train), -1)
    d2 = ((x_t.reshape(1, -1) - np.sqrt(abar) * flat) ** 2).sum(axis=1)
    w = _posterior(d2, label_weights(mu, labels, bandwidth), abar)
    return (w @ flat).reshape(x_t.shape)


def _windows(images: np.ndarray, p: int) -> np.ndarray:
    """Every P × P window of every image: (m · positions, P, P)."""
    view = np.lib.stride_tricks.sliding_window_view(images, (p, p), axis=(1, 2))
    return view.reshape(-1, p, p)


def patch_denoiser(
    x_t: np.ndarray,
    abar: float,
    train: np.ndarray,
    labels: np.ndarray,
    mu: np.ndarray,
    p: int,
    bandwidth: float = 0.0,
) -> np.ndarray:
    """x̂₀ (N, N) of one x_t from P × P windows (module docstring)."""
    n = x_t.shape[0]
    windows = _windows(train, p)  # (m · k, P, P)
    per_image = windows.shape[0] // len(train)
    prior = np.repeat(label_weights(mu, labels, bandwidth), per_image)
    flat = windows.reshape(len(windows), -1)
    starts = [min(max(a - p // 2, 0), n - p) for a in range(n)]
    out = np.empty_like(x_t, dtype=float)
    for u in sorted(set(starts)):
        for v in sorted(set(starts)):
            query = x_t[u : u + p, v : v + p].reshape(1, -1)
            w = _posterior(((query - np.sqrt(abar) * flat) ** 2).sum(axis=1), prior, abar)
            mean = (w @ flat).reshape(p, p)
            rows = [a for a in range(n) if starts[a] == u]
            cols = [b for b in range(n) if starts[b] == v]
            out[np.ix_(rows, cols)] = mean[np.ix_([a - u for a in rows], [b - v for b in cols])]
    return out
