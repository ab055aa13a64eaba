"""Where a training step's time goes (``bumpdiff bench --only profile``): torch.profiler over a
few steps of bumpdiff's loop, the operators' own (self) CPU time grouped by kind.

Kinds: convolution (forward and backward), matmul (linear layers, attention's products),
normalisation (group norm), elementwise (activations, adds, the loss), optimizer (AdamW's
updates), data (noising the batch, drawing indices) and other. Convolutions and matmuls are
compute-bound; the rest moves memory or pays per-operator overhead, which on a small model is
where a step loses to the machine's matmul peak.
"""

from __future__ import annotations

import time

import torch
from torch.profiler import ProfilerActivity, profile

from bumpdiff.config import Config
from bumpdiff.diffusion import alphas_cumprod
from bumpdiff.model import init_model
from bumpdiff.train import make_optimizer, train_step, training_data

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


def kind_of(name: str) -> str:
    """The kind of an aten operator name (module docstring)."""
    low = name.lower()
    for kind, parts in KINDS:
        if any(p in low for p in parts):
            return kind
    return "other"


def profile_training(cfg: Config, device: torch.device, steps: int = 20) -> dict:
    """Seconds per step with and without the profiler, the share of the operators' self CPU time
    by kind, the top operators, and the share of the step's wall time spent outside operators
    (Python and dispatch overhead)."""
    x_0, cond = training_data(cfg, device)
    abar = alphas_cumprod(cfg.diffusion).to(device)
    model = init_model(cfg).to(device)
    opt = make_optimizer(model, cfg)
    gen = torch.Generator().manual_seed(0)

    def run(n: int) -> float:
        t0 = time.perf_counter()
        for _ in range(n):
            train_step(model, opt, x_0, cond, abar, gen, cfg.train.batch_size, cfg.train.bf16)
        return (time.perf_counter() - t0) / n

    run(3)  # warm-up
    plain = run(steps)
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        profiled = run(steps)
    ops = [e for e in prof.key_averages() if e.key.startswith("aten::")]
    total = sum(e.self_cpu_time_total for e in ops)
    by_kind: dict[str, float] = {}
    for e in ops:
        kind = kind_of(e.key)
        by_kind[kind] = by_kind.get(kind, 0.0) + e.self_cpu_time_total
    top = sorted(ops, key=lambda e: -e.self_cpu_time_total)[:12]
    return {
        "steps": steps,
        "seconds_per_step": plain,
        "seconds_per_step_profiled": profiled,
        "operator_seconds_per_step": total / 1e6 / steps,
        "outside_operators_share": max(0.0, 1 - total / 1e6 / steps / profiled),
        "share_by_kind": {k: v / total for k, v in sorted(by_kind.items(), key=lambda kv: -kv[1])},
        "top_operators": [
            {
                "name": e.key,
                "kind": kind_of(e.key),
                "share": e.self_cpu_time_total / total,
                "calls_per_step": e.count / steps,
            }
            for e in top
        ],  # fmt: skip
    }
