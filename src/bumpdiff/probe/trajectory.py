"""The probed layer read along the model's own generation, one sample per row (docs/science.md,
"Trajectory probe").

``Recorder`` stands in for the network in any sampler: it calls the model as the sampler would
and, at the first sampler step at or below each requested timestep, keeps what that step saw and
made: the input x_t, the probed layer's activations and the network's ε̂ (so x̂₀). Those few
steps run the model itself with a forward hook; every other step runs the network frozen for
sampling where the CPU allows (diffusion/frozen.py keeps a frozen network only where it gives the
model's output bit for bit), so what is generated does not change when the probe is attached
(tested) and sampling costs what it costs without it.

Controls are fed the very inputs the trained network saw (``replay``): the untrained network and
a copy of the trained one with each weight tensor's entries permuted (``shuffled_weights``) give
what any network of this shape makes of x_t, t and μ; the pixels of x_t themselves are the
representation that only the input holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from bumpdiff.diffusion.frozen import sampling_network
from bumpdiff.diffusion.network import ConditionalUNet


@dataclass
class Capture:
    """What the network saw and made at one captured sampler step, per sample."""

    t: int  # the sampler's timestep
    x_t: torch.Tensor  # (n, 1, N, N) the input, model scale
    activations: np.ndarray  # (n, features) the probed layer, float32
    eps_hat: torch.Tensor  # (n, 1, N, N) the network's noise prediction


@dataclass
class Recorder:
    """The network as a sampler calls it, keeping ``Capture``s at the requested timesteps
    (module docstring). ``requested`` in decreasing order; each is captured once, at the first
    step whose t is at or below it. Samplers call it chunk by chunk: captures of one requested
    timestep are concatenated over chunks in call order."""

    model: ConditionalUNet
    layer: str
    requested: list[int]
    captures: dict[int, list[Capture]] = field(default_factory=dict)
    _pending: list[int] = field(default_factory=list)
    _last: int = -1  # the timestep of the previous call; a higher one starts a new sampling call
    _fast: dict = field(default_factory=dict)  # input shape → the network frozen for sampling

    def __post_init__(self) -> None:
        if sorted(self.requested, reverse=True) != list(self.requested):
            raise ValueError("requested timesteps must be in decreasing order")
        self.unet = self.model.unet  # samplers read the image size from it

    def parameters(self):
        return self.model.parameters()

    def __call__(self, x_t: torch.Tensor, t: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        step = int(t[0])
        if step > self._last:  # timesteps fall within a sampling call: a rise starts a new one
            self._pending = list(self.requested)
        self._last = step
        due = [r for r in self._pending if step <= r]
        if not due:
            key = tuple(x_t.shape)
            if key not in self._fast:  # the calls of a whole sampler, so freezing can pay
                self._fast[key] = sampling_network(self.model, x_t, t, cond, calls=1000)
            return self._fast[key](x_t, t, cond)
        kept: list[torch.Tensor] = []
        handle = self.model.probe_point(self.layer).register_forward_hook(
            lambda _m, _i, out: kept.append((out[0] if isinstance(out, tuple) else out).detach())
        )
        try:
            eps_hat = self.model(x_t, t, cond)
        finally:
            handle.remove()
        acts = kept[0].float().flatten(1).cpu().numpy()
        for r in due:
            self.captures.setdefault(r, []).append(
                Capture(step, x_t.detach().cpu().clone(), acts, eps_hat.detach().float().cpu())
            )
            self._pending.remove(r)
        return eps_hat

    def merged(self) -> dict[int, Capture]:
        """One ``Capture`` per requested timestep, its chunks concatenated (rows in image order)."""
        out = {}
        for r, parts in self.captures.items():
            out[r] = Capture(
                parts[0].t,
                torch.cat([p.x_t for p in parts]),
                np.concatenate([p.activations for p in parts]),
                torch.cat([p.eps_hat for p in parts]),
            )
        return out


@torch.inference_mode()
def replay(
    model: torch.nn.Module, layer: str, capture: Capture, cond: torch.Tensor, batch: int = 512
) -> np.ndarray:
    """The probed layer of ``model`` on the inputs a capture saw (x_t, t, μ): (n, features)."""
    from bumpdiff.probe.capture import capture_activations

    return capture_activations(model, layer, capture.x_t, cond, capture.t, batch)


def shuffled_weights(model: ConditionalUNet, seed: int) -> ConditionalUNet:
    """A copy of ``model`` whose every weight tensor has its entries randomly permuted (each
    tensor keeps its shape and its multiset of values; a seeded generator)."""
    import copy

    gen = torch.Generator().manual_seed(seed)
    out = copy.deepcopy(model)
    with torch.no_grad():
        for p in out.parameters():
            flat = p.data.flatten()
            p.data.copy_(flat[torch.randperm(flat.numel(), generator=gen)].view_as(p))
    return out.eval()
