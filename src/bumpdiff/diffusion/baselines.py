"""Analytic denoisers of a training set, without training (after Kamb & Ganguli 2025, "An
analytic theory of creativity in convolutional diffusion models"): pure NumPy references
and ``AnalyticDenoiser``, the same posterior means batched in torch and called like the network.

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
import torch
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


def _pixel_gather(n: int, p: int) -> tuple[list[int], torch.Tensor]:
    """The windows a P-patch denoiser reads (their indices among unfold's (n−P+1)² positions)
    and, for every pixel, its place in the flattened (windows · P²) means: pixel (a, b) comes
    from the window starting at (s(a), s(b)), s(a) = a − P//2 clipped to the frame."""
    starts = [min(max(a - p // 2, 0), n - p) for a in range(n)]
    used = sorted(set(starts))
    rank = {s: i for i, s in enumerate(used)}
    windows = [u * (n - p + 1) + v for u in used for v in used]
    gather = [
        (rank[starts[a]] * len(used) + rank[starts[b]]) * p * p
        + (a - starts[a]) * p + (b - starts[b])
        for a in range(n) for b in range(n)
    ]  # fmt: skip
    return windows, torch.tensor(gather)


class AnalyticDenoiser(torch.nn.Module):
    """The ideal (``patch`` None) or P-patch denoiser of a training set, called like the network:
    ε̂(x_t, t, cond) on the model scale, so that the samplers run it unchanged with the same
    seeds. Batched in float64 (a posterior at small t weighs distances of 1e-4 against each
    other); the NumPy functions above are its reference (tests/diffusion/test_baselines.py)."""

    def __init__(self, train, labels, abar, patch: int | None = None, bandwidth: float = 0.0):
        super().__init__()
        x0 = torch.as_tensor(np.asarray(train), dtype=torch.float64)[:, None]  # (m, 1, N, N)
        self.image_size = x0.shape[-1]
        self.p = patch or self.image_size
        unfolded = torch.nn.functional.unfold(x0, self.p)  # (m, P², L)
        self.register_buffer("windows", unfolded.transpose(1, 2).contiguous())  # (m, L, P²)
        self.register_buffer("labels", torch.as_tensor(np.asarray(labels), dtype=torch.float64))
        self.register_buffer("abar", torch.as_tensor(abar, dtype=torch.float64))
        self.bandwidth = bandwidth
        self.queries, gather = _pixel_gather(self.image_size, self.p)
        self.register_buffer("gather", gather)
        # the samplers find the device from a parameter; an empty one holds no weights
        self.anchor = torch.nn.Parameter(torch.empty(0), requires_grad=False)

    def _candidates(self, cond: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The training images each condition's posterior can weigh (B, k) and their log
        k(μ, l_i) (``label_weights`` batched): every image under a kernel, only those of the
        nearest label with bandwidth 0 (the others weigh exactly 0, so leaving them out changes
        no number and saves m/k of the work)."""
        d2 = ((self.labels[None] - cond[:, None].double()) ** 2).sum(-1)  # (B, m)
        if self.bandwidth > 0:
            every = torch.arange(d2.shape[1]).expand(len(d2), -1)
            return every, -d2 / (2 * self.bandwidth**2)
        near = torch.isclose(d2, d2.min(dim=1, keepdim=True).values)
        pick = torch.topk(near.double(), int(near.sum(1).max()), dim=1).indices  # near first
        kept = near.gather(1, pick)
        return pick, torch.where(kept, 0.0, -torch.inf).double()

    def x0_hat(self, x_t: torch.Tensor, t: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        """The posterior mean x̂₀ (B, 1, N, N) of each x_t."""
        x = x_t.double()
        abar = self.abar[t.long()].view(-1, 1, 1)
        q = torch.nn.functional.unfold(x, self.p)[:, :, self.queries].transpose(1, 2)  # (B,K,P²)
        pick, prior = self._candidates(cond)
        w = self.windows[pick].flatten(1, 2)  # (B, k·L, P²)
        prior = prior.repeat_interleave(self.windows.shape[1], dim=1)  # (B, k·L)
        d2 = (
            (q**2).sum(-1, keepdim=True)
            - 2 * abar.sqrt() * q @ w.transpose(1, 2)
            + abar * (w**2).sum(-1)[:, None]
        )
        logits = prior[:, None] - d2 / (2 * (1 - abar))
        mean = torch.softmax(logits, dim=-1) @ w  # (B, K, P²)
        return mean.reshape(len(x), -1)[:, self.gather].reshape(x.shape)

    def forward(self, x_t: torch.Tensor, t: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        out = []
        for lo in range(0, len(x_t), 16):  # chunks bound the (B, K, M) weights' memory
            xs, ts = x_t[lo : lo + 16], t[lo : lo + 16]
            abar = self.abar[ts.long()].view(-1, 1, 1, 1)
            x0 = self.x0_hat(xs, ts, cond[lo : lo + 16])
            out.append(((xs.double() - abar.sqrt() * x0) / (1 - abar).sqrt()).to(x_t.dtype))
        return torch.cat(out)
