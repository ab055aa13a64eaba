"""Benchmarks, measured side by side in one process: medians of repetitions, ratios, JSON out.

``bumpdiff bench [--quick] --out benchmarks/<name>.json`` (or ``python -m bumpdiff.bench``).
Never a timed test: the test suite only checks that ``--quick`` runs and writes valid JSON.

Parts: training throughput of bumpdiff's loop against a plain diffusers loop on the same model and
data (ratio), model FLOP/s against a large fp32 matmul (MFU), samplers (network evaluations, time
per image, accuracy on the trained checkpoint and outcome fractions on checkpoints of each phase,
against DDPM with T steps), evaluation throughput, probe time (capture, metrics, UMAP), and the
end-to-end time of the quick phases experiment (full mode only).
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from pathlib import Path

import numpy as np
import torch
from diffusers import DDPMScheduler
from torch.utils.flop_counter import FlopCounterMode

from bumpdiff.config import Config, load_config
from bumpdiff.data import render_bumps
from bumpdiff.diffusion import alphas_cumprod
from bumpdiff.evaluate import OUTCOMES, classify, summarize
from bumpdiff.probe import capture_activations, condition_means, probe_inputs, umap_embed
from bumpdiff.probe.phase import representation_metrics
from bumpdiff.runfolder import RunFolder, write_json
from bumpdiff.train import init_model, resolve_device, train_step, training_data

# (sampler, steps): the papers' DDPM-T first; the rest are candidates to replace it.
SAMPLERS = [
    ("ddpm", None),
    ("ddpm", 100),
    ("ddpm", 50),
    ("ddim", 100),
    ("ddim", 50),
    ("ddim", 25),
    ("ddim", 10),
    ("dpmpp", 20),
    ("dpmpp", 10),
]


def _median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def machine_info(device: torch.device) -> dict:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info = {
        "cores": os.cpu_count(),
        "threads": torch.get_num_threads(),
        "cpu": cpu,
        "torch": torch.__version__,
        "device": str(device),
        "python": platform.python_version(),
    }
    if device.type == "cuda":
        info["gpu"] = torch.cuda.get_device_name(device)
    return info


def bench_training(cfg: Config, device: torch.device, steps: int, repeats: int) -> dict:
    """images/s of bumpdiff's train_step against a plain diffusers loop, interleaved repeats."""
    x_0, cond = training_data(cfg, device)
    abar = alphas_cumprod(cfg.diffusion).to(device)
    batch = cfg.train.batch_size
    ours = init_model(cfg).to(device)
    opt = torch.optim.AdamW(ours.parameters(), lr=cfg.train.lr)
    gen = torch.Generator().manual_seed(0)

    ref = init_model(cfg).to(device)  # same architecture and init
    ref_opt = torch.optim.AdamW(ref.parameters(), lr=cfg.train.lr)
    scheduler = DDPMScheduler(
        num_train_timesteps=cfg.diffusion.timesteps,
        beta_start=cfg.diffusion.beta_start,
        beta_end=cfg.diffusion.beta_end,
    )
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(x_0.cpu(), cond.cpu()),
        batch_size=batch,
        shuffle=True,
        drop_last=False,
    )

    def run_ours():
        for _ in range(steps):
            train_step(ours, opt, x_0, cond, abar, gen, batch, cfg.train.bf16)
        _sync(device)

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


def bench_sampling(
    run: RunFolder,
    steps_by_phase: dict[str, int],
    n_final: int,
    n_phase: int,
    samplers,
    device: torch.device,
) -> list[dict]:
    """Each sampler on the trained checkpoint (accuracy) and on one checkpoint per phase
    (outcome fractions); same conditions and seeds for every sampler."""
    from bumpdiff.checkpoint import load_model
    from bumpdiff.stages import classify_images, eval_conditions, generate

    rows = []
    for phase, step in steps_by_phase.items():
        model, cfg, _ = load_model(run.checkpoint_path(step), device)
        n = n_final if phase == "final" else n_phase
        grid = eval_conditions(cfg)
        draws = -(-n // len(grid))
        for sampler, steps in samplers:
            steps = steps or cfg.diffusion.timesteps
            t0 = time.perf_counter()
            images, conds = generate(model, cfg, grid, draws, 777, sampler, steps)
            seconds = time.perf_counter() - t0
            images, conds = images[:n], conds[:n]
            summary = summarize(classify_images(cfg, images, conds))
            rows.append(
                {
                    "checkpoint": phase,
                    "step": step,
                    "sampler": sampler,
                    "steps": steps,
                    "nfe": steps,
                    "images": n,
                    "seconds_per_image": seconds / (draws * len(grid)),
                    "accuracy": summary["accuracy"],
                    "fractions": {o: summary[f"frac_{o}"] for o in OUTCOMES},
                }
            )
    return rows


def choose_sampler(rows: list[dict], acc_tol: float = 0.01, frac_tol: float = 0.03) -> dict:
    """The cheapest sampler within ``acc_tol`` of DDPM-T's accuracy on the final checkpoint and
    within ``frac_tol`` of its outcome fractions on every earlier checkpoint (issue #6's rule)."""
    ref = {
        r["checkpoint"]: r
        for r in rows
        if r["sampler"] == "ddpm"
        and r["steps"] == max(x["steps"] for x in rows if x["sampler"] == "ddpm")
    }
    verdicts = []
    for cand in {(r["sampler"], r["steps"]) for r in rows}:
        mine = {r["checkpoint"]: r for r in rows if (r["sampler"], r["steps"]) == cand}
        ok = abs(mine["final"]["accuracy"] - ref["final"]["accuracy"]) <= acc_tol
        worst = 0.0
        for ckpt, r in mine.items():
            if ckpt == "final":
                continue
            diff = max(abs(r["fractions"][o] - ref[ckpt]["fractions"][o]) for o in OUTCOMES)
            worst = max(worst, diff)
        ok = ok and worst <= frac_tol
        verdicts.append(
            {
                "sampler": cand[0],
                "steps": cand[1],
                "passes": ok,
                "final_accuracy_diff": mine["final"]["accuracy"] - ref["final"]["accuracy"],
                "worst_fraction_diff": worst,
            }
        )
    passing = sorted((v for v in verdicts if v["passes"]), key=lambda v: v["steps"])
    return {
        "chosen": passing[0] if passing else None,
        "candidates": sorted(verdicts, key=lambda v: v["steps"]),
        "accuracy_tolerance": acc_tol,
        "fraction_tolerance": frac_tol,
    }


def bench_evaluate(size: int, n: int, repeats: int) -> dict:
    rng = np.random.default_rng(0)
    centers = rng.uniform(1, size - 2, (n, 2))
    images = render_bumps(centers, size, 1.0) + rng.normal(0, 0.02, (n, size, size))
    seconds = _median_time(lambda: classify(images, centers), repeats)
    return {"images_per_s": n / seconds, "images": n, "size": size}


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


def run_bench(
    config: str | Path,
    out: str | Path,
    quick: bool,
    device_name: str = "auto",
    run_dir: str | Path | None = None,
    log=print,
    extra: list[str] | None = None,
) -> dict:
    """Measure everything and write JSON to ``out``; returns the result."""
    overrides = [f"train.device={device_name}"]
    if quick:  # a tiny model: checks the harness, not the machine
        overrides += [
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
            "sample.steps=10",
            "probe.draws=2",
            "probe.umap_neighbors=4",
            "probe.knn=4",
            "train.batch_size=8",
        ]
    cfg = load_config(config, overrides + list(extra or []))
    device = resolve_device(cfg.train.device)
    if cfg.train.threads:
        torch.set_num_threads(cfg.train.threads)
    result: dict = {"config": str(config), "quick": quick, "machine": machine_info(device)}
    log("training throughput …")
    result["train"] = bench_training(
        cfg, device, steps=3 if quick else 20, repeats=3 if quick else 5
    )
    log("evaluation throughput …")
    result["evaluate"] = bench_evaluate(16, 1000 if quick else 10000, 3)
    log("probe time …")
    from bumpdiff.stages import probe_conditions

    result["probe"] = bench_probe(cfg, device, probe_conditions(cfg))
    from bumpdiff.experiments.phases import run_phases

    if run_dir is None:
        run_dir = Path(out).with_suffix("") if quick else Path("runs") / "bench-phases"
        log(f"phases experiment end to end → {run_dir} …")
        t0 = time.perf_counter()
        run_phases(cfg, run_dir, progress=False)
        if not quick:
            result["phases_demo"] = {"seconds": time.perf_counter() - t0, "run": str(run_dir)}
    run = RunFolder(run_dir)
    log("samplers …")
    picks = _phase_checkpoints(run)
    samplers = [("ddpm", None), ("ddim", 10), ("dpmpp", 10)] if quick else SAMPLERS
    rows = bench_sampling(run, picks, 16 if quick else 512, 16 if quick else 128, samplers, device)
    result["sampling"] = rows
    result["sampler_choice"] = choose_sampler(rows)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_json(out, result)
    return result


def _phase_checkpoints(run: RunFolder) -> dict[str, int]:
    """The final checkpoint and the middle checkpoint of each phase seen (from phases.json)."""
    rows = json.loads((run.root / "phases.json").read_text())
    picks = {"final": rows[-1]["step"]}
    for phase in ("A", "B", "C"):
        steps = [r["step"] for r in rows if r["phase"] == phase and r["step"] != picks["final"]]
        if steps:
            picks[phase] = steps[len(steps) // 2]
    return picks


if __name__ == "__main__":  # python -m bumpdiff.bench … = bumpdiff bench …
    import sys

    from bumpdiff.cli import app

    app(["bench", *sys.argv[1:]])
