"""The network frozen for one sampling call on the CPU: the same numbers, without Python.

A sampler calls one network hundreds of times on inputs of one shape. On the CPU, diffusers'
UNet spends a sixth of each call in Python (module dispatch, hook checks, its parameter-dtype
lookups; ``outside_operators_share`` of ``sampling_profile`` in benchmarks/cpu-2core-speed.json).
``sampling_network`` records the call once (``torch.jit.trace``) and inlines the weights
(``torch.jit.freeze`` with ``optimize_numerics=False``: no folding that could move a bit), so
the same aten kernels run in the same order from TorchScript's interpreter: the images are
identical bit for bit (tests/diffusion/test_frozen.py, on every sampler) and sampling the quick
model is cheaper (``frozen_sampling`` in benchmarks/cpu-2core-speed.json, measured side by
side).

Freezing also runs TorchScript's graph passes, and in some architectures one of them merges
layers' matrix products (the UNets with three levels: outputs 5e-7 apart), so the frozen network
is checked against the model on the call's first input and kept only if it gives the same output
bit for bit; else the trace unfrozen (the same kernels, less of the gain), checked alike; else the
model itself. A net that runs other kernels differs on essentially every input, so one check per
call tells them apart (tests/diffusion/test_frozen.py: both cases).

A trace is only sure to be right for inputs like the ones it saw: it keeps Python's branches as
they went (diffusers branches on the batch size and the number of elements), so it is made
afresh for each sampling call, on that call's own first input, and used only for that call's
inputs (same shapes and conditions; only x_t and t change). It is not used where it
could change what runs or gain nothing: a model in training mode, with hooks (a trace drops
them), under autocast (the bf16 candidates of the sampler study), off the CPU (CUDA launches
kernels asynchronously, so Python's share hides), or for calls too small to repay the trace.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import torch

# Tracing and freezing costs a fixed time per sampling call and saves a little per image per
# network call: below this many image-calls the trace costs more than it saves (the quick model on
# one thread; ``frozen_sampling`` in benchmarks/cpu-2core-speed.json times both sides).
MIN_IMAGE_CALLS = 4096

_EAGER: list[bool] = []  # inside ``eager()``


@contextmanager
def eager() -> Iterator[None]:
    """Within it, sampling calls the model itself (the benchmark's eager side,
    bench_profile.frozen_sampling)."""
    _EAGER.append(True)
    try:
        yield
    finally:
        _EAGER.pop()


def _hooked(model: torch.nn.Module) -> bool:
    return any(
        m._forward_hooks or m._forward_pre_hooks or m._backward_hooks for m in model.modules()
    )


def can_freeze(model: torch.nn.Module, x_t: torch.Tensor, calls: int) -> bool:
    """Whether ``sampling_network`` freezes ``model`` for ``calls`` calls on inputs like ``x_t``
    (module docstring)."""
    return (
        not _EAGER
        and isinstance(model, torch.nn.Module)
        and not model.training
        and x_t.device.type == "cpu"
        and all(p.device.type == "cpu" for p in model.parameters())
        and not torch.is_autocast_enabled("cpu")
        and not _hooked(model)
        and calls * x_t.shape[0] >= MIN_IMAGE_CALLS
    )


def sampling_network(
    model: torch.nn.Module, x_t: torch.Tensor, t: torch.Tensor, cond: torch.Tensor, calls: int
) -> Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]:
    """ε_θ for the ``calls`` network calls of one sampling call whose inputs are like
    (``x_t``, ``t``, ``cond``): where ``can_freeze`` allows, ``model`` traced on these inputs and
    frozen, or only traced, whichever first gives the model's own output bit for bit on them
    (module docstring), else ``model`` itself. Call it as the model: net(x_t, t, cond)."""
    if not can_freeze(model, x_t, calls):
        return model
    with warnings.catch_warnings():
        # the branches it warns about are the ones the module docstring keeps fixed per call
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        traced = torch.jit.trace(model, (x_t, t, cond), check_trace=False)
    reference = model(x_t, t, cond)
    for net in (torch.jit.freeze(traced, optimize_numerics=False), traced):
        if torch.equal(net(x_t, t, cond), reference):
            return net
    return model
