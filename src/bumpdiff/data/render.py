"""Rendering of Gaussian bumps; pure numpy, no I/O."""

from __future__ import annotations

import numpy as np

from bumpdiff.config import ConfigError, DataConfig


def check_centers(centers: np.ndarray, size: int, periodic: bool = False) -> np.ndarray:
    """``centers`` as a float64 (n, 2) array of (mu_x, mu_y); ConfigError off the canvas.

    Allowed: [0, size - 1] per axis, or [0, size) on a periodic canvas.
    """
    centers = np.asarray(centers, dtype=np.float64).reshape(-1, 2)
    if not np.all(np.isfinite(centers)):
        raise ConfigError(f"centers: must be finite, got {centers[~np.isfinite(centers)][:3]}")
    hi = float(size) if periodic else float(size - 1)
    for axis, name in enumerate(("mu_x", "mu_y")):
        vals = centers[:, axis]
        bad = (vals < 0) | (vals >= hi if periodic else vals > hi)
        if bad.any():
            bracket = ")" if periodic else "]"
            raise ConfigError(f"{name}: must be in [0, {hi:g}{bracket}, got {vals[bad][0]:g}")
    return centers


def check_centers_for(data: DataConfig, centers: np.ndarray) -> np.ndarray:
    """``check_centers`` on the canvas a DataConfig describes."""
    return check_centers(centers, data.extent, data.periodic)


def widths(sigma: float | tuple[float, float]) -> tuple[float, float]:
    """(σx, σy) from one width or a pair; ConfigError unless both are > 0."""
    sx, sy = (sigma, sigma) if np.isscalar(sigma) else tuple(sigma)
    if not (sx > 0 and sy > 0):
        raise ConfigError(f"sigma: must be > 0, got {sigma}")
    return float(sx), float(sy)


def render_bumps(
    centers: np.ndarray, size: int, sigma: float | tuple[float, float], periodic: bool = False
) -> np.ndarray:
    """Gaussian bumps of amplitude 1 on a background of 0 (docs/science.md, "Data").

    b(i, j) = exp(-(j - mu_x)^2 / (2 sigma_x^2) - (i - mu_y)^2 / (2 sigma_y^2)): x is the column
    index j, y the row index i, pixel centres at integer coordinates, mu and sigma in pixels (one
    width for both axes, or a pair). On a periodic canvas the distance is taken around the torus
    (minimum image).

    Args:
        centers: (n, 2) array of (mu_x, mu_y), pixels.
        size: canvas side N.
        sigma: bump width, pixels, > 0; or (sigma_x, sigma_y).
        periodic: wrap around the border.

    Returns:
        float32 array (n, size, size) in [0, 1].

    Raises:
        ConfigError: a centre off the canvas, sigma <= 0, or size < 1.
    """
    if size < 1:
        raise ConfigError(f"size: must be >= 1, got {size}")
    sx, sy = widths(sigma)
    centers = check_centers(centers, size, periodic)
    coords = np.arange(size, dtype=np.float64)  # (N,) pixel centres
    d_x = coords[None, :] - centers[:, 0:1]  # (n, N) column offsets
    d_y = coords[None, :] - centers[:, 1:2]  # (n, N) row offsets
    if periodic:  # minimum image on the torus
        d_x = (d_x + size / 2) % size - size / 2
        d_y = (d_y + size / 2) % size - size / 2
    # The Gaussian is separable: outer product of the row and column profiles.
    g_x = np.exp(-(d_x**2) / (2 * sx**2))  # (n, N)
    g_y = np.exp(-(d_y**2) / (2 * sy**2))  # (n, N)
    bumps = g_y[:, :, None] * g_x[:, None, :]  # (n, N rows, N cols)
    return bumps.astype(np.float32)


def to_model_scale(images: np.ndarray) -> np.ndarray:
    """Data scale [0, 1] → the training scale [-1, 1]; the one place this happens."""
    return images * 2.0 - 1.0


def to_data_scale(images: np.ndarray) -> np.ndarray:
    """Training scale [-1, 1] → data scale [0, 1] (bump amplitude 1 on background 0)."""
    return (images + 1.0) / 2.0


def render_images(
    labels: np.ndarray,
    kinds: np.ndarray,
    size: int,
    sigma: float | tuple[float, float],
    canvas: int | None = None,
) -> np.ndarray:
    """Bumps, stripes and sums of stripes on the visible N x N frame of a latent canvas.

    Each image is rendered on a ``canvas`` x ``canvas`` latent canvas (labels in its pixel
    coordinates) and cropped to its centred ``size`` x ``size`` frame: visible pixel j lies at
    latent coordinate j + (canvas - size) / 2, so a stripe or bump may lie partly or wholly
    outside the frame (follow-up: 44 → 32). With g_x(j) = exp(-(j + offset - mu_x)² / 2σ²):
    bump = g_y ⊗ g_x, vstripe = 1 ⊗ g_x (x only), hstripe = g_y ⊗ 1 (y only), sos = vstripe +
    hstripe (peak 2 where they cross). A label's unused coordinate (NaN for stripes) is ignored.

    Returns: float32 (n, size, size) on the data scale.
    """
    labels = np.asarray(labels, dtype=np.float64).reshape(-1, 2)
    kinds = np.asarray(kinds)
    canvas = canvas or size
    offset = (canvas - size) / 2
    coords = np.arange(size, dtype=np.float64) + offset
    sx, sy = widths(sigma)
    with np.errstate(invalid="ignore"):
        g_x = np.exp(-((coords[None, :] - labels[:, 0:1]) ** 2) / (2 * sx**2))  # (n, N)
        g_y = np.exp(-((coords[None, :] - labels[:, 1:2]) ** 2) / (2 * sy**2))
    use_x = np.isin(kinds, ("bump", "vstripe", "sos"))[:, None]
    use_y = np.isin(kinds, ("bump", "hstripe", "sos"))[:, None]
    g_x, g_y = np.where(use_x, g_x, 1.0), np.where(use_y, g_y, 1.0)
    product = g_y[:, :, None] * g_x[:, None, :]
    both = g_y[:, :, None] + g_x[:, None, :]
    images = np.where((kinds == "sos")[:, None, None], both, product)
    if np.isnan(images).any():
        raise ConfigError("labels: a coordinate the image kind uses is NaN")
    return images.astype(np.float32)
