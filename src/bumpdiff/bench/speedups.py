"""Faster steps, side by side in one process (``bumpdiff bench --only speedups``): the same
network and data in fp32 (the reference), in channels-last memory format, compiled by
``torch.compile`` (inductor on the CPU), both together, and under bf16 autocast where the device
computes bf16 natively (a CUDA GPU, or a CPU with bf16 units; elsewhere it is emulated and left
out, saying why).

Per variant: seconds per training step (``train_step``, the run's own step) and per sampling call
(one network evaluation without gradients, as a sampler makes, of as many images as a training
batch), each the median of repeats interleaved across the variants so that the machine's drift
hits all alike, their ratio to fp32, the warm-up (compile) time, and how far the variant's ε̂
moves from fp32's on one fixed batch (RMS and largest absolute difference, over ε̂'s spread). A
variant is a candidate only when it is faster *and* within the tolerance its kind allows
(``TOLERANCES``); whether it changes any result is then the sampler rule's check
(docs/science.md, "Sampler").
"""

from __future__ import annotations

import copy
import statistics
import time
from collections.abc import Callable

import torch

from bumpdiff.config import Config
from bumpdiff.devices import cpu_bf16_units
from bumpdiff.diffusion.network import init_model
from bumpdiff.diffusion.schedule import add_noise, alphas_cumprod, autocast
from bumpdiff.training.loop import make_optimizer, train_step, training_data

VARIANTS = ("fp32", "channels_last", "compile", "compile+channels_last", "bf16")
QUICK_SPEEDUPS = ("fp32", "channels_last", "bf16")  # bench --quick: no compiling
# Largest RMS(ε̂ - ε̂_fp32) / std(ε̂_fp32) a variant may show on one batch: the memory format and
# inductor's fused kernels reorder float32 sums (rounding only); bf16 keeps 8 bits of mantissa.
TOLERANCES = {"channels_last": 1e-4, "compile": 1e-3, "compile+channels_last": 1e-3, "bf16": 5e-2}


def native_bf16(device: torch.device) -> bool:
    """Whether ``device`` computes bf16 natively: CUDA, or a CPU with bf16 units."""
    return device.type == "cuda" or bool(cpu_bf16_units())


def _prepare(name: str, model: torch.nn.Module) -> torch.nn.Module:
    """``model`` (a copy of the reference) made into variant ``name``."""
    if "channels_last" in name:
        model = model.to(memory_format=torch.channels_last)
    if name.startswith("compile"):
        model = torch.compile(model)
    return model


class _Variant:
    """One variant's model, optimizer and generator, with its two timed calls."""

    def __init__(self, name: str, base: torch.nn.Module, cfg: Config, data: dict):
        self.data, self.cfg = data, cfg
        self.model = _prepare(name, copy.deepcopy(base))
        self.opt = make_optimizer(self.model, cfg)
        self.gen = torch.Generator().manual_seed(0)
        self.bf16 = name == "bf16"
        self.times: dict[str, list[float]] = {"train": [], "sample": []}

    def forward(self, x_t, t, cond) -> torch.Tensor:
        with torch.no_grad(), autocast(x_t.device, self.bf16):
            return self.model(x_t, t, cond).float()

    def train(self, steps: int) -> None:
        d = self.data
        for _ in range(steps):
            train_step(self.model, self.opt, d["x_0"], d["cond"], d["abar"], self.gen,
                       self.cfg.train.batch_size, self.bf16)  # fmt: skip

    def sample(self, calls: int) -> None:
        d = self.data
        for _ in range(calls):
            self.forward(d["x_s"], d["t_s"], d["c_s"])


def _timed(fn: Callable[[], None], device: torch.device) -> float:
    t0 = time.perf_counter()
    fn()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return time.perf_counter() - t0


def _fixed_batch(cfg: Config, x_0, cond, n: int, seed: int):
    """(x_t, t, cond) of ``n`` training images noised at spread timesteps, from ``seed``."""
    gen = torch.Generator().manual_seed(seed)
    idx = torch.randint(x_0.shape[0], (n,), generator=gen)
    t = torch.randint(cfg.diffusion.timesteps, (n,), generator=gen)
    noise = torch.randn((n, *x_0.shape[1:]), generator=gen)
    x_t = add_noise(x_0[idx].cpu(), noise, t, alphas_cumprod(cfg.diffusion))
    dev = x_0.device
    return x_t.to(dev), t.to(dev), cond[idx.to(cond.device)].to(dev)


def _skipped(names: tuple[str, ...], device: torch.device) -> dict[str, str]:
    """Variants left out on ``device``, with the reason."""
    if "bf16" in names and not native_bf16(device):
        return {"bf16": "this CPU has no bf16 units (amx_bf16, avx512_bf16): bf16 is emulated"}
    return {}


def _build(cfg: Config, device: torch.device, names, data) -> tuple[dict, dict]:
    """Each variant built and warmed up on both of its shapes (compiling where it compiles);
    its output's distance from fp32's on the sampling batch, and its warm-up time."""
    base = init_model(cfg).to(device)
    variants, rows = {}, {}
    reference = None
    for name in names:
        v = _Variant(name, base, cfg, data)
        t0 = time.perf_counter()
        out = v.forward(data["x_s"], data["t_s"], data["c_s"])  # before training: base's weights
        v.train(1)
        warm = time.perf_counter() - t0
        reference = out if reference is None else reference
        gap, spread = out - reference, float(reference.std())
        diff = float(gap.pow(2).mean().sqrt()) / spread
        rows[name] = {"warmup_seconds": warm, "rms_diff_over_std": diff,
                      "max_abs_diff_over_std": float(gap.abs().max()) / spread}  # fmt: skip
        if name in TOLERANCES:
            rows[name]["tolerance"] = TOLERANCES[name]
            rows[name]["within_tolerance"] = diff <= TOLERANCES[name]
        variants[name] = v
    return variants, rows


def measure_speedups(
    cfg: Config,
    device: torch.device,
    steps: int,
    calls: int,
    repeats: int,
    names: tuple[str, ...] = VARIANTS,
) -> dict:
    """Every variant of ``names`` the device can run, timed side by side (module docstring)."""
    skipped = _skipped(names, device)
    names = tuple(n for n in ("fp32", *names) if n not in skipped)
    names = tuple(dict.fromkeys(names))  # fp32 first, once: the reference
    x_0, cond = training_data(cfg, device)
    abar = alphas_cumprod(cfg.diffusion).to(device)
    # sampling calls of the training batch's size: one shape per mode, so a compiled variant
    # compiles twice (with and without gradients) and never while timed
    x_s, t_s, c_s = _fixed_batch(cfg, x_0, cond, cfg.train.batch_size, seed=1)
    data = {"x_0": x_0, "cond": cond, "abar": abar, "x_s": x_s, "t_s": t_s, "c_s": c_s}
    variants, rows = _build(cfg, device, names, data)
    for _ in range(repeats):  # interleaved: the machine's drift hits every variant alike
        for v in variants.values():
            v.times["train"].append(_timed(lambda v=v: v.train(steps), device) / steps)
            v.times["sample"].append(_timed(lambda v=v: v.sample(calls), device) / calls)
    ref = {k: statistics.median(variants["fp32"].times[k]) for k in ("train", "sample")}
    for name, v in variants.items():
        med = {k: statistics.median(v.times[k]) for k in ("train", "sample")}
        rows[name].update(
            seconds_per_train_step=med["train"],
            seconds_per_sampling_call=med["sample"],
            train_speedup=ref["train"] / med["train"],
            sampling_speedup=ref["sample"] / med["sample"],
            train_times=v.times["train"],
            sampling_times=v.times["sample"],
        )
    return {
        "train_batch": cfg.train.batch_size,
        "sampling_batch": cfg.train.batch_size,
        "steps_per_repeat": steps,
        "calls_per_repeat": calls,
        "repeats": repeats,
        "variants": rows,
        "skipped": skipped,
    }
