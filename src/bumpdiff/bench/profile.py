"""Where a training step's and a sampling step's time goes (``bumpdiff bench --only profile``):
torch.profiler over a few steps of bumpdiff's loops, the operators' own (self) CPU time grouped
by kind.

Kinds: convolution (forward and backward), matmul (linear layers, attention's products),
normalisation (group norm), elementwise (activations, adds, the loss), optimizer (AdamW's
updates), data (noising the batch, drawing indices) and other. Convolutions and matmuls are
compute-bound; the rest moves memory or pays per-operator overhead, which on a small model is
where a step loses to the machine's matmul peak.

``frozen_sampling`` times the sampler with the network frozen (frozen.py) against the model
itself, side by side in one run.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import replace

import numpy as np
import torch
from torch.profiler import ProfilerActivity, profile

from bumpdiff.analysis.pipeline import eval_conditions
from bumpdiff.config import Config
from bumpdiff.diffusion.frozen import can_freeze, eager
from bumpdiff.diffusion.network import init_model
from bumpdiff.diffusion.sampling import generate, resolve_sampler
from bumpdiff.diffusion.schedule import alphas_cumprod, uses_bf16
from bumpdiff.training.loop import make_optimizer, train_step, training_data

# (kind, substrings of aten operator names); the first match wins
KINDS = (
    ("convolution", ("conv",)),
    ("matmul", ("addmm", "aten::mm", "bmm", "linear", "scaled_dot_product", "matmul")),
    ("normalisation", ("group_norm", "layer_norm", "batch_norm")),
    ("optimizer", ("_foreach", "adam", "lerp", "addcdiv", "addcmul", "sqrt")),
    ("data", ("randint", "randn", "normal_", "index", "gather", "random_")),
    (
        "elementwise",
        (
            "silu",
            "sigmoid",
            "add",
            "mul",
            "sub",
            "div",
            "mse",
            "pow",
            "exp",
            "sin",
            "cos",
            "cat",
            "copy",
            "fill",
            "zero",
            "sum",
            "mean",
            "softmax",
            "upsample",
            "clone",
            "neg",
        ),
    ),  # fmt: skip
)


def operator_kind(name: str) -> str:
    """The kind of an aten operator name (module docstring)."""
    low = name.lower()
    for kind, parts in KINDS:
        if any(p in low for p in parts):
            return kind
    return "other"


def operator_profile(run: Callable[[int], float], n: int, unit: str) -> dict:
    """Profile ``run(n)`` (which does n units of work and returns seconds per unit): seconds per
    ``unit`` with and without the profiler, the operators' self CPU time by kind, the top
    operators, and the share of the wall time spent outside operators (Python and dispatch
    overhead)."""
    run(3)  # warm-up
    plain = run(n)
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        profiled = run(n)
    ops = [e for e in prof.key_averages() if e.key.startswith("aten::")]
    total = sum(e.self_cpu_time_total for e in ops)
    by_kind: dict[str, float] = {}
    for e in ops:
        kind = operator_kind(e.key)
        by_kind[kind] = by_kind.get(kind, 0.0) + e.self_cpu_time_total
    top = sorted(ops, key=lambda e: -e.self_cpu_time_total)[:12]
    return {
        f"{unit}s": n,
        f"seconds_per_{unit}": plain,
        f"seconds_per_{unit}_profiled": profiled,
        f"operator_seconds_per_{unit}": total / 1e6 / n,
        "outside_operators_share": max(0.0, 1 - total / 1e6 / n / profiled),
        "share_by_kind": {k: v / total for k, v in sorted(by_kind.items(), key=lambda kv: -kv[1])},
        "top_operators": [
            {
                "name": e.key,
                "kind": operator_kind(e.key),
                "share": e.self_cpu_time_total / total,
                f"calls_per_{unit}": e.count / n,
            }
            for e in top
        ],  # fmt: skip
    }


def profile_training(cfg: Config, device: torch.device, steps: int = 20) -> dict:
    """``operator_profile`` of ``steps`` steps of bumpdiff's training loop."""
    x_0, cond = training_data(cfg, device)
    abar = alphas_cumprod(cfg.diffusion).to(device)
    model = init_model(cfg).to(device)
    opt = make_optimizer(model, cfg)
    gen = torch.Generator().manual_seed(0)
    bf16 = uses_bf16(cfg.train, device)

    def run(n: int) -> float:
        t0 = time.perf_counter()
        for _ in range(n):
            train_step(model, opt, x_0, cond, abar, gen, cfg.train.batch_size, bf16)
        return (time.perf_counter() - t0) / n

    return operator_profile(run, steps, "step")


def profile_sampling(cfg: Config, device: torch.device, calls: int = 20) -> dict:
    """``operator_profile`` of the evaluation sampler's loop, per network call: one image per
    evaluation condition (the demo's batch) sampled with the run's sampler strided to ``calls``
    steps (every step is one network call and one update, whatever the stride), untrained
    network (the cost does not depend on the weights)."""
    model = init_model(cfg).to(device).eval()
    grid = eval_conditions(cfg)
    spec = resolve_sampler(cfg)

    def run(n: int) -> float:
        t0 = time.perf_counter()
        generate(model, cfg, grid, 1, 0, replace(spec, steps=n))
        return (time.perf_counter() - t0) / n

    return {"images": len(grid), "sampler": spec.name, **operator_profile(run, calls, "call")}


def frozen_sampling(
    cfg: Config, device: torch.device, steps: int | None = None, repeats: int = 3
) -> dict:
    """The evaluation sampler on the demo's batch (one image per evaluation condition; its own
    steps unless ``steps``; untrained network) with the network frozen (frozen.py, the default)
    against the model itself, alternated ``repeats`` times in one run: median seconds of each,
    their ratio, whether the images are the same bit for bit, and whether the frozen side did
    freeze (``frozen``: calls too small to repay a trace stay eager on both sides)."""
    model = init_model(cfg).to(device).eval()
    grid = eval_conditions(cfg)
    spec = resolve_sampler(cfg)
    spec = replace(spec, steps=steps or spec.steps)
    size = cfg.data.size
    froze = can_freeze(model, torch.zeros(len(grid), 1, size, size, device=device), spec.steps)
    seconds: dict[str, list[float]] = {"eager": [], "frozen": []}
    images = {}
    for _ in range(repeats):
        for side in seconds:
            with eager() if side == "eager" else nullcontext():
                t0 = time.perf_counter()
                images[side], _ = generate(model, cfg, grid, 1, 0, spec)
                seconds[side].append(time.perf_counter() - t0)
    median = {side: statistics.median(times) for side, times in seconds.items()}
    return {
        "images": len(grid),
        "sampler": spec.label,
        "repeats": repeats,
        "eager_seconds": median["eager"],
        "frozen_seconds": median["frozen"],
        "ratio": median["frozen"] / median["eager"],
        "identical": bool(np.array_equal(images["eager"], images["frozen"])),
        "frozen": froze,
    }
