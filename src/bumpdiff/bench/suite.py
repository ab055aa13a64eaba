"""Speed benchmarks, measured side by side in one process: medians of repetitions, ratios, JSON.

``bumpdiff bench [--quick] --out benchmarks/<name>.json``. Never a timed test: the test suite only
checks that ``--quick`` runs and writes valid JSON. Speed only: whether a cheaper sampler changes
what a run appears to show is a science question, answered by the `samplers` experiment.

Parts: training throughput of bumpdiff's loop against a plain diffusers loop on the same model and
data (ratio), model FLOP/s against a large fp32 matmul (MFU), where a training step's time goes
(bench_profile.py), seconds per image of each sampler,
evaluation throughput, probe time (capture, metrics, UMAP), and the end-to-end time of the
config's experiment (full mode only).
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import numpy as np
import torch
from diffusers import DDPMScheduler
from torch.utils.flop_counter import FlopCounterMode

from bumpdiff.analysis.pipeline import eval_conditions
from bumpdiff.analysis.probing import probe_conditions
from bumpdiff.bench.machine import machine_info
from bumpdiff.bench.profile import frozen_sampling, profile_sampling, profile_training
from bumpdiff.bench.speedups import QUICK_SPEEDUPS, VARIANTS, measure_speedups
from bumpdiff.bench.sweep_scaling import measure_sweep_scaling
from bumpdiff.bench.threads import measure_threads
from bumpdiff.config import Config, ConfigError
from bumpdiff.data import render_bumps
from bumpdiff.devices import resolve_device, set_threads
from bumpdiff.diffusion.network import init_model
from bumpdiff.diffusion.sampling import SamplerSpec, candidate_spec, generate
from bumpdiff.diffusion.schedule import alphas_cumprod, uses_bf16
from bumpdiff.experiments import run_experiment
from bumpdiff.probe import capture_activations, condition_means, probe_inputs, umap_embed
from bumpdiff.probe.phase import representation_metrics
from bumpdiff.scoring.outcomes import classify
from bumpdiff.store.runfolder import write_json
from bumpdiff.training.loop import make_optimizer, train_step, training_data

# Samplers timed by default: the papers' DDPM-T, then the candidates of the sampler study.
SAMPLER_TIMINGS = ("ddpm", "ddpm:250", "ddpm:200", "ddpm:100", "ddpm:50", "ddim:50", "dpmpp:20")


def _median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench_training(cfg: Config, device: torch.device, steps: int, repeats: int) -> dict:
    """images/s of bumpdiff's train_step against a plain diffusers loop, interleaved repeats."""
    x_0, cond = training_data(cfg, device)
    abar = alphas_cumprod(cfg.diffusion).to(device)
    batch = cfg.train.batch_size
    ours = init_model(cfg).to(device)
    opt = make_optimizer(ours, cfg)
    gen = torch.Generator().manual_seed(0)

    def run_ours():
        for _ in range(steps):
            train_step(ours, opt, x_0, cond, abar, gen, batch, uses_bf16(cfg.train, x_0.device))
        _sync(device)

    run_reference = _reference_loop(cfg, device, x_0, cond, steps)

    run_ours()  # warm-up both
    run_reference()
    t_ours, t_ref = [], []
    for _ in range(repeats):  # interleaved, so machine noise hits both alike
        t_ours.append(_median_time(run_ours, 1))
        t_ref.append(_median_time(run_reference, 1))
    ips = steps * batch / statistics.median(t_ours)
    ref_ips = steps * batch / statistics.median(t_ref)
    flops = _step_flops(ours, x_0, cond, abar, batch)
    peak = matmul_flops(device)
    achieved = flops * ips / batch
    return {
        "images_per_s": ips,
        "reference_images_per_s": ref_ips,
        "ratio": ips / ref_ips,
        "flops_per_image": flops / batch,
        "achieved_flops": achieved,
        "matmul_flops": peak,
        "mfu": achieved / peak,
        "batch_size": batch,
        "steps_per_repeat": steps,
        "repeats": repeats,
    }


def _reference_loop(cfg: Config, device: torch.device, x_0, cond, steps: int):
    """``steps`` training steps the ordinary way: DataLoader batches, scheduler.add_noise,
    F.mse_loss, AdamW, on a model with the same architecture and initialisation."""
    ref = init_model(cfg).to(device)
    ref_opt = torch.optim.AdamW(ref.parameters(), lr=cfg.train.lr)
    scheduler = DDPMScheduler(
        num_train_timesteps=cfg.diffusion.timesteps,
        beta_start=cfg.diffusion.beta_start,
        beta_end=cfg.diffusion.beta_end,
    )
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(x_0.cpu(), cond.cpu()),
        batch_size=cfg.train.batch_size,
        shuffle=True,
        drop_last=False,
    )

    def run_reference():
        """The ordinary way: DataLoader batches, scheduler.add_noise, F.mse_loss, AdamW."""
        done = 0
        while done < steps:
            for images, labels in loader:
                images, labels = images.to(device), labels.to(device)
                noise = torch.randn_like(images)
                t = torch.randint(0, cfg.diffusion.timesteps, (images.shape[0],), device=device)
                noisy = scheduler.add_noise(images, noise, t)
                loss = torch.nn.functional.mse_loss(ref(noisy, t, labels), noise)
                ref_opt.zero_grad()
                loss.backward()
                ref_opt.step()
                done += 1
                if done == steps:
                    break
        _sync(device)

    return run_reference


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _step_flops(model, x_0, cond, abar, batch) -> float:
    """FLOPs of one training step's forward and backward (torch.utils.flop_counter)."""
    idx = torch.arange(batch) % x_0.shape[0]
    t = torch.randint(abar.shape[0], (batch,)).to(x_0.device)
    eps = torch.randn((batch, *x_0.shape[1:]), device=x_0.device)
    x_t = abar[t].sqrt().view(-1, 1, 1, 1) * x_0[idx] + (1 - abar[t]).sqrt().view(-1, 1, 1, 1) * eps
    with FlopCounterMode(display=False) as counter:
        loss = torch.nn.functional.mse_loss(model(x_t, t, cond[idx]), eps)
        loss.backward()
    model.zero_grad(set_to_none=True)
    return float(counter.get_total_flops())


def matmul_flops(device: torch.device, n: int = 2048, repeats: int = 5) -> float:
    """FLOP/s of an n×n fp32 matmul on ``device`` (the machine's practical peak for MFU)."""
    a = torch.randn(n, n, device=device)
    b = torch.randn(n, n, device=device)
    a @ b
    _sync(device)

    def mm():
        for _ in range(3):
            a @ b
        _sync(device)

    return 3 * 2 * n**3 / _median_time(mm, repeats)


def bench_evaluate(size: int, n: int, repeats: int) -> dict:
    """Images classified per second: noisy single bumps (the common case) and uniform noise (the
    worst case: many peaks per image, so the costly h-maxima run on every image)."""
    rng = np.random.default_rng(0)
    centers = rng.uniform(1, size - 2, (n, 2))
    bumps = render_bumps(centers, size, 1.0) + rng.normal(0, 0.02, (n, size, size))
    noise = rng.random((n, size, size))
    seconds = _median_time(lambda: classify(bumps, centers), repeats)
    noise_seconds = _median_time(lambda: classify(noise, centers), repeats)
    return {
        "images_per_s": n / seconds,
        "noise_images_per_s": n / noise_seconds,
        "images": n,
        "size": size,
    }


def bench_probe(cfg: Config, device: torch.device, conditions: np.ndarray) -> dict:
    model = init_model(cfg).to(device).eval()
    p = cfg.probe
    x, c = probe_inputs(
        conditions, p.draws, p.input, cfg.data.size, p.seed, p.t, alphas_cumprod(cfg.diffusion)
    )
    t0 = time.perf_counter()
    acts = capture_activations(model, p.layer, x, c, p.t)
    t_capture = time.perf_counter() - t0
    _, means, _ = condition_means(acts.astype(np.float64), c.numpy())
    umap_embed(means, 3, p.umap_neighbors, p.umap_min_dist, p.seed)  # JIT warm-up, not timed
    t0 = time.perf_counter()
    umap_embed(means, 3, p.umap_neighbors, p.umap_min_dist, p.seed)
    t_umap = time.perf_counter() - t0
    t0 = time.perf_counter()
    representation_metrics(acts.astype(np.float64), c.numpy(), p)
    t_all = time.perf_counter() - t0
    return {
        "seconds": t_capture + t_all,
        "capture_seconds": t_capture,
        "umap_seconds": t_umap,
        "pca_and_metrics_seconds": t_all - t_umap,
        "rows": int(acts.shape[0]),
        "features": int(acts.shape[1]),
    }


def bench_sampling(cfg: Config, device: torch.device, texts, images: int) -> list[dict]:
    """Seconds per image of each sampler ("NAME[:STEPS]"), ``images`` images from the evaluation
    conditions with the untrained network (cost depends on the network evaluations, not on the
    weights); one warm-up image first."""
    model = init_model(cfg).to(device).eval()
    grid = eval_conditions(cfg)
    rows = []
    for text in texts:
        spec: SamplerSpec = candidate_spec(cfg, text)
        generate(model, cfg, grid[:1], 1, 0, spec)  # warm-up
        t0 = time.perf_counter()
        generate(model, cfg, grid, -(-images // len(grid)), 0, spec)
        _sync(device)
        n = len(grid) * -(-images // len(grid))
        rows.append(
            {
                "sampler": spec.name,
                "steps": spec.steps,
                "nfe": spec.steps,
                "images": n,
                "seconds_per_image": (time.perf_counter() - t0) / n,
            }
        )
    return rows


PARTS = ("train", "profile", "evaluate", "probe", "samplers", "experiment")
# Measured only when named with --only: each takes minutes and starts other processes.
ON_REQUEST = ("threads", "sweep", "speedups")

# A tiny model: checks the harness, not the machine.
QUICK_OVERRIDES = [
    "data.size=8",
    "data.x_range=[1,6]",
    "data.y_range=[1,6]",
    "model.channels=[8,16]",
    "model.norm_groups=8",
    "train.steps=6",
    "train.checkpoints=3",
    "train.first_checkpoint=2",
    "diffusion.timesteps=20",
    "probe.t=19",
    "probe.placement_t=10",
    "probe.placement_more_t=[5]",
    "sample.steps=10",
    "probe.draws=2",
    "probe.umap_neighbors=4",
    "probe.knn=4",
    "train.batch_size=8",
    "trajectory.t=[]",  # the preset's timesteps lie beyond this T (its cost: bench/runs.py)
]


def run_bench(
    cfg: Config,
    out: str | Path,
    quick: bool,
    parts: tuple[str, ...] | None = None,
    samplers: tuple[str, ...] | None = None,
    log=None,
) -> dict:
    """Measure ``parts`` (all by default) of ``cfg`` and write JSON to ``out``; returns it.
    ``samplers``: "NAME[:STEPS]" strings to time (default SAMPLER_TIMINGS)."""
    log = log or (lambda _msg: None)
    unknown = sorted(set(parts or ()) - set(PARTS) - set(ON_REQUEST))
    if unknown or parts == ():
        allowed = [*PARTS, *ON_REQUEST]
        raise ConfigError(f"parts: expected some of {allowed}, got {list(parts)}")
    parts = parts or PARTS
    device = resolve_device(cfg.train.device)
    set_threads(cfg.train.threads)
    out = Path(out)
    run_dir = out.with_suffix("") if quick else Path("runs") / f"bench-{cfg.experiment}"
    if "experiment" in parts and run_dir.exists():  # at the door, not after minutes of timing
        raise ConfigError(
            f"out: {run_dir} already exists; the end-to-end time needs a fresh run there "
            "(remove it, or leave out the experiment part with --only)"
        )
    result: dict = {"experiment": cfg.experiment, "quick": quick, "parts": list(parts)}
    result["machine"] = machine_info(device)
    if "train" in parts:
        log("training throughput …")
        steps, repeats = (3, 3) if quick else (20, 5)
        result["train"] = bench_training(cfg, device, steps=steps, repeats=repeats)
    if "profile" in parts:
        log("profile of a training step …")
        result["train_profile"] = profile_training(cfg, device, steps=3 if quick else 20)
        log("profile of a sampling step …")
        result["sampling_profile"] = profile_sampling(cfg, device, calls=3 if quick else 20)
        result["frozen_sampling"] = frozen_sampling(cfg, device, *((5, 1) if quick else (None, 3)))
    if "evaluate" in parts:
        log("evaluation throughput …")
        result["evaluate"] = bench_evaluate(16, 1000 if quick else 10000, 3)
    if "probe" in parts:
        log("probe time …")
        result["probe"] = bench_probe(cfg, device, probe_conditions(cfg))
    if "samplers" in parts:
        log("sampler cost …")
        texts = samplers or (("ddpm", "ddim:10") if quick else SAMPLER_TIMINGS)
        result["sampling"] = bench_sampling(cfg, device, texts, 4 if quick else 64)
    _on_request(cfg, parts, result, quick, log)
    if "experiment" in parts:
        log(f"{cfg.experiment} experiment end to end → {run_dir} …")
        t0 = time.perf_counter()
        run_experiment(cfg, run_dir, resume=False, log=log, progress=False)
        result["experiment_seconds"] = {"seconds": time.perf_counter() - t0, "run": str(run_dir)}
    write_json(out, result)
    return result


def _on_request(cfg: Config, parts: tuple[str, ...], result: dict, quick: bool, log) -> None:
    """The parts measured only when named (ON_REQUEST), with tiny settings under ``quick``."""
    if "threads" in parts:
        log("threads beside another training …")
        result["threads"] = measure_threads(seconds=0.5 if quick else 8.0)
    if "sweep" in parts:
        log("sweep scaling with 1 and 2 workers …")
        tiny = (2, False, ("train.steps=4", "train.checkpoints=1")) if quick else (8, None, ())
        result["sweep"] = measure_sweep_scaling(*tiny)
    if "speedups" in parts:
        log("faster steps side by side (fp32, channels-last, compile, bf16) …")
        device = resolve_device(cfg.train.device)
        # quick: the harness without compiling (inductor takes minutes even on a tiny model)
        plan = (1, 1, 2, QUICK_SPEEDUPS) if quick else (3, 3, 3, VARIANTS)
        result["speedups"] = measure_speedups(cfg, device, *plan)
