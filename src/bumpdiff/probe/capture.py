"""Activation capture with forward hooks at a named probe point of the UNet.

What the probe measures depends on its input (docs/science.md, "Probe"): the noised data image leaks
the bump's position into the input, and one noise image shared by all conditions makes even an
untrained network look ordered. The default is sampling-like: pure noise x_T at t = T - 1,
independent draws per condition, the same draws at every checkpoint (seeded per row), so checkpoints
compare.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import torch

from bumpdiff.data import render_bumps, to_model_scale
from bumpdiff.diffusion.schedule import add_noise, initial_noise, per_image_generators

ProbeInput = Literal["noise", "shared_noise", "noised_data"]


def probe_inputs(
    conditions: np.ndarray,
    draws: int,
    kind: ProbeInput,
    size: int,
    seed: int,
    t: int,
    abar: torch.Tensor,
    sigma: float | tuple[float, float] = 1.0,
    periodic: bool = False,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Network inputs for the probe grid.

    Args:
        conditions: (m, 2) probe conditions (mu_x, mu_y), pixels.
        draws: inputs per condition; rows are condition-major (row = c * draws + d).
        kind: "noise" (independent x ~ N(0, I) per row), "shared_noise" (draw d is the same
            image for every condition) or "noised_data" (x_t of the condition's bump at timestep t).
        seed: base seed; row r uses seed + r ("shared_noise": seed + d).
        t: timestep, used by "noised_data" (the other kinds are fed at t as given).
        abar: ᾱ schedule (T,), for "noised_data".

    Returns:
        x (m * draws, 1, N, N) and cond (m * draws, 2), float32 on the CPU.
    """
    m = len(conditions)
    cond = torch.from_numpy(np.repeat(conditions, draws, axis=0).astype(np.float32))
    rows = np.arange(m * draws)
    seeds = seed + (rows % draws if kind == "shared_noise" else rows)
    noise = initial_noise(per_image_generators(seeds), size)
    if kind != "noised_data":
        return noise, cond
    x_0 = torch.from_numpy(to_model_scale(render_bumps(cond.numpy(), size, sigma, periodic)))
    t_batch = torch.full((m * draws,), t, dtype=torch.long)
    return add_noise(x_0[:, None], noise, t_batch, abar), cond


@torch.inference_mode()
def capture_activations(
    model: torch.nn.Module,
    layer: str,
    x: torch.Tensor,
    cond: torch.Tensor,
    t: int,
    batch_size: int = 512,
    outputs: list | None = None,
) -> np.ndarray:
    """Flattened output of probe point ``layer`` for each input row; float32 (rows, features).

    Down blocks return (hidden_states, residuals); the hidden states are taken. When
    ``outputs`` is a list, the network's outputs (ε̂, on the CPU) are appended to it, batch by
    batch, from the same forward passes; otherwise each pass stops at the probe point (the
    layers after it cannot change what it outputs; for the last down block this skips the
    middle and up blocks, about half of the network's work).
    """
    module = model.probe_point(layer)
    device = next(model.parameters()).device
    captured: list[torch.Tensor] = []

    def hook(_module, _inputs, output):
        out = output[0] if isinstance(output, tuple) else output
        captured.append(out.detach().float().flatten(1).cpu())
        if outputs is None:
            raise _Captured

    handle = module.register_forward_hook(hook)
    try:
        for lo in range(0, x.shape[0], batch_size):
            xb = x[lo : lo + batch_size].to(device)
            cb = cond[lo : lo + batch_size].to(device)
            tb = torch.full((xb.shape[0],), t, dtype=torch.long, device=device)
            try:
                eps_hat = model(xb, tb, cb)
            except _Captured:
                continue
            if outputs is not None:
                outputs.append(eps_hat.float().cpu())
    finally:
        handle.remove()
    return torch.cat(captured).numpy()


class _Captured(Exception):
    """Raised by the capture hook to end a forward pass once the probe point has its output."""
