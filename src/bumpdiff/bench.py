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
from contextlib import nullcontext
from pathlib import Path

import numpy as np
import torch
from diffusers import DDPMScheduler
from torch.utils.flop_counter import FlopCounterMode

from bumpdiff.config import Config, ConfigError, load_config
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
    on_row=None,
) -> list[dict]:
    """Each sampler on the trained checkpoint (accuracy) and on one checkpoint per phase
    (outcome fractions); same conditions and seeds for every sampler, so image i of one sampler
    starts from the same x_T as image i of another (``outcome_codes`` keeps the per-image
    outcomes, index into OUTCOMES, for paired comparisons). ``on_row(rows)`` is called after each
    row, so a long study can save as it goes."""
    from bumpdiff.checkpoint import load_model

    rows = []
    for phase, step in steps_by_phase.items():
        model, cfg, _ = load_model(run.checkpoint_path(step), device)
        n = n_final if phase == "final" else n_phase
        for sampler, steps in samplers:
            row = _sampled_row(model, cfg, n, sampler, steps)
            rows.append({"checkpoint": phase, "step": step, **row, "nfe": row["steps"]})
            if on_row is not None:
                on_row(rows)
    return rows


def _sampled_row(model, cfg: Config, n: int, sampler=None, steps=None) -> dict:
    """``n`` images from the evaluation conditions (seeded draws, the same for every sampler and
    precision), classified: sampler, steps, time per image, accuracy, outcome fractions and each
    image's outcome (``outcome_codes``, index into OUTCOMES)."""
    from bumpdiff.stages import classify_images, eval_conditions, generate, sampler_and_steps

    sampler, steps = sampler_and_steps(cfg, sampler, steps)
    grid = eval_conditions(cfg)
    t0 = time.perf_counter()
    images, conds = generate(model, cfg, grid, -(-n // len(grid)), 777, sampler, steps)
    seconds = time.perf_counter() - t0
    result = classify_images(cfg, images[:n], conds[:n])
    summary = summarize(result)
    return {
        "sampler": sampler,
        "steps": steps,
        "images": n,
        "seconds_per_image": seconds / len(images),
        "accuracy": summary["accuracy"],
        "fractions": {o: summary[f"frac_{o}"] for o in OUTCOMES},
        "outcome_codes": "".join(str(OUTCOMES.index(o)) for o in result.outcome),
    }


def _diff_and_se(mine: dict, ref: dict, outcome: str) -> tuple[float, float]:
    """Difference of one outcome fraction (candidate − reference) and its standard error: paired
    over images when both rows carry per-image outcomes for the same images, else independent."""
    diff = mine["fractions"][outcome] - ref["fractions"][outcome]
    k = OUTCOMES.index(outcome)
    a, b = mine.get("outcome_codes"), ref.get("outcome_codes")
    if a and b and len(a) == len(b):
        # McNemar-style: only discordant images carry information; one pseudo-discordant pair
        # keeps the error from reading 0 when a few images happen to agree.
        mine_k = np.frombuffer(a.encode(), np.uint8) == ord("0") + k
        ref_k = np.frombuffer(b.encode(), np.uint8) == ord("0") + k
        n, up, down = len(a), int((mine_k & ~ref_k).sum()), int((~mine_k & ref_k).sum())
        se = float(np.sqrt(max(up + down + 1 - (up - down) ** 2 / n, 0.0)) / n)
    else:
        p, q = mine["fractions"][outcome], ref["fractions"][outcome]
        se = float(np.sqrt(p * (1 - p) / mine["images"] + q * (1 - q) / ref["images"]))
    return float(diff), se


def choose_sampler(
    rows: list[dict], acc_tol: float = 0.01, frac_tol: float = 0.03, z: float = 1.96
) -> dict:
    """The cheapest sampler within ``acc_tol`` of DDPM-T's accuracy on the final checkpoint and
    within ``frac_tol`` of its outcome fractions on every earlier checkpoint (issue #6's rule, on
    the point estimates).

    Each candidate also gets the standard error of its worst difference and an ``evidence`` word:
    "reference" for DDPM-T itself, "equivalent" when every difference is within its tolerance by
    more than ``z`` standard errors, "different" when some difference exceeds its tolerance by
    more than ``z`` standard errors, else "unresolved" (the data cannot tell; more images would).
    A candidate without a row on the trained checkpoint does not pass.
    """
    ddpm_t = max(x["steps"] for x in rows if x["sampler"] == "ddpm")
    ref = {r["checkpoint"]: r for r in rows if r["sampler"] == "ddpm" and r["steps"] == ddpm_t}
    verdicts = []
    for cand in {(r["sampler"], r["steps"]) for r in rows}:
        mine = {r["checkpoint"]: r for r in rows if (r["sampler"], r["steps"]) == cand}
        checks = []  # (|diff|, se, tolerance, checkpoint, what)
        for ckpt, r in mine.items():
            if ckpt == "final":
                d, se = _diff_and_se(r, ref[ckpt], "correct")
                checks.append((abs(d), se, acc_tol, ckpt, "accuracy"))
            else:
                for o in OUTCOMES:
                    d, se = _diff_and_se(r, ref[ckpt], o)
                    checks.append((abs(d), se, frac_tol, ckpt, o))
        has_final = "final" in mine
        passes = has_final and all(d <= tol for d, _, tol, _, _ in checks)
        if cand == ("ddpm", ddpm_t):
            evidence = "reference"
        elif all(d + z * se < tol for d, se, tol, _, _ in checks):
            evidence = "equivalent"
        elif any(d - z * se > tol for d, se, tol, _, _ in checks):
            evidence = "different"
        else:
            evidence = "unresolved"
        fracs = [c for c in checks if c[3] != "final"]
        worst = max(fracs, default=(0.0, 0.0, frac_tol, None, None))
        final = next((c for c in checks if c[3] == "final"), None)
        verdicts.append(
            {
                "sampler": cand[0],
                "steps": cand[1],
                "passes": passes,
                "evidence": evidence,
                "final_accuracy_diff": (
                    mine["final"]["accuracy"] - ref["final"]["accuracy"] if final else None
                ),
                "final_accuracy_se": final[1] if final else None,
                "worst_fraction_diff": worst[0],
                "worst_fraction_se": worst[1],
                "worst_fraction_at": f"{worst[3]}:{worst[4]}" if worst[3] else None,
            }
        )
    passing = sorted((v for v in verdicts if v["passes"]), key=lambda v: v["steps"])
    return {
        "chosen": passing[0] if passing else None,
        "candidates": sorted(verdicts, key=lambda v: (v["steps"], v["sampler"])),
        "accuracy_tolerance": acc_tol,
        "fraction_tolerance": frac_tol,
        "z": z,
    }


def bench_bf16(run: RunFolder, step: int, n: int, device: torch.device) -> dict:
    """The run's evaluation sampler on one checkpoint in fp32 and under bf16 autocast (on this
    device, CPU included), same conditions and seeds: time per image, accuracy, outcome
    fractions and each fraction's paired difference ± standard error."""
    from bumpdiff.checkpoint import load_model

    model, cfg, _ = load_model(run.checkpoint_path(step), device)
    cfg = cfg.model_copy(update={"train": cfg.train.model_copy(update={"bf16": False})})
    rows = {}
    for name, ctx in (
        ("fp32", nullcontext()),
        ("bf16", torch.autocast(device.type, torch.bfloat16)),
    ):
        with ctx:
            rows[name] = _sampled_row(model, cfg, n)
    diffs = {o: _diff_and_se(rows["bf16"], rows["fp32"], o) for o in OUTCOMES}
    sampler, steps = rows["fp32"].pop("sampler"), rows["fp32"].pop("steps")
    del rows["bf16"]["sampler"], rows["bf16"]["steps"]
    return {
        "step": step,
        "sampler": sampler,
        "steps": steps,
        "device": str(device),
        **rows,
        "fraction_diff": {o: d for o, (d, _) in diffs.items()},
        "fraction_diff_se": {o: se for o, (_, se) in diffs.items()},
        "speedup": rows["fp32"]["seconds_per_image"] / rows["bf16"]["seconds_per_image"],
    }


def sampler_table(result: dict) -> str:
    """Markdown table of a benchmark's samplers: cost, accuracy on the trained checkpoint, worst
    outcome-fraction difference from DDPM-T (± its standard error) and the rule's verdict.

    The choice is recomputed from the rows, so older files (without per-image outcomes, hence
    with independent-sample errors) read the same way as new ones.
    """
    choice = choose_sampler(result["sampling"])
    rows = {(r["sampler"], r["steps"], r["checkpoint"]): r for r in result["sampling"]}
    n_final = next((r["images"] for r in result["sampling"] if r["checkpoint"] == "final"), 0)
    phases = sorted({r["checkpoint"] for r in result["sampling"]} - {"final"})
    n_phase = {r["images"] for r in result["sampling"] if r["checkpoint"] != "final"}
    lines = [
        f"| sampler | NFE | s / image (median) | accuracy, trained ({n_final} images) "
        f"| worst fraction diff. ± SE, phases {'/'.join(phases)} ({'/'.join(map(str, n_phase))} "
        "images) | rule | evidence |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in sorted(choice["candidates"], key=lambda c: (-c["steps"], c["sampler"])):
        final = rows.get((c["sampler"], c["steps"], "final"))  # absent if a study was cut short
        accuracy = f"{100 * final['accuracy']:.1f} %" if final else "not measured"
        times = [
            r["seconds_per_image"] for k, r in rows.items() if k[:2] == (c["sampler"], c["steps"])
        ]
        worst = (
            "0"
            if c["evidence"] == "reference"
            else f"{100 * c['worst_fraction_diff']:.1f} ± {100 * c['worst_fraction_se']:.1f} pts "
            f"({c['worst_fraction_at']})"
        )
        rule = (
            "reference" if c["evidence"] == "reference" else ("passes" if c["passes"] else "fails")
        )
        name, cost = f"{c['sampler'].upper()}-{c['steps']}", statistics.median(times)
        lines.append(
            f"| {name} | {c['steps']} | {cost:.3g} | {accuracy} "
            f"| {worst} | {rule} | {c['evidence']} |"
        )
    chosen = choice["chosen"]
    lines.append("")
    lines.append(
        "Chosen by the rule: "
        + (
            f"{chosen['sampler'].upper()}-{chosen['steps']}"
            if chosen
            else "none (no sampler has rows on the trained checkpoint)"
        )
        + f" (accuracy within {100 * choice['accuracy_tolerance']:g} point, fractions within "
        f"{100 * choice['fraction_tolerance']:g} points; evidence at {choice['z']:g} SE)."
    )
    return "\n".join(lines)


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


PARTS = ("train", "evaluate", "probe", "phases", "samplers", "bf16")
# bf16 is measured by default only on CUDA: on CPUs without bf16 units autocast is emulated (12×
# slower on the 2-core EPYC) and bumpdiff never uses it there; ask for it with --only bf16.
DEFAULT_PARTS = {"cpu": PARTS[:-1], "cuda": PARTS}


def run_bench(
    config: str | Path,
    out: str | Path,
    quick: bool,
    device_name: str = "auto",
    run_dir: str | Path | None = None,
    log=print,
    extra: list[str] | None = None,
    parts: tuple[str, ...] | None = None,
    images: int | None = None,
    phase_images: int | None = None,
    samplers: list[tuple[str, int | None]] | None = None,
) -> dict:
    """Measure ``parts`` and write JSON to ``out``; returns the result.

    ``images`` / ``phase_images``: images per sampler on the trained checkpoint / on each phase
    checkpoint (defaults 512 / 128; 16 with ``quick``). ``samplers``: (name, steps) pairs; DDPM
    with T steps is always added as the reference. The sampler part rewrites ``out`` after every
    row, so an interrupted study keeps what it measured.
    """

    unknown = sorted(set(parts or ()) - set(PARTS))
    if unknown or parts == ():
        raise ConfigError(f"--only: expected some of {list(PARTS)}, got {list(parts)}")
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
    parts = parts or DEFAULT_PARTS.get(device.type, PARTS[:-1])
    result: dict = {
        "config": str(config),
        "quick": quick,
        "parts": list(parts),
        "machine": machine_info(device),
    }
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if "train" in parts:
        log("training throughput …")
        result["train"] = bench_training(
            cfg, device, steps=3 if quick else 20, repeats=3 if quick else 5
        )
    if "evaluate" in parts:
        log("evaluation throughput …")
        result["evaluate"] = bench_evaluate(16, 1000 if quick else 10000, 3)
    if "probe" in parts:
        log("probe time …")
        from bumpdiff.stages import probe_conditions

        result["probe"] = bench_probe(cfg, device, probe_conditions(cfg))
    if run_dir is None and {"phases", "samplers", "bf16"} & set(parts):
        from bumpdiff.experiments.phases import run_phases

        run_dir = out.with_suffix("") if quick else Path("runs") / f"bench-{Path(config).stem}"
        log(f"phases experiment end to end → {run_dir} …")
        t0 = time.perf_counter()
        run_phases(cfg, run_dir, progress=False)
        if not quick:
            result["phases_demo"] = {"seconds": time.perf_counter() - t0, "run": str(run_dir)}
    if {"samplers", "bf16"} & set(parts):
        run = RunFolder(run_dir)
        picks = _phase_checkpoints(run)
    if "samplers" in parts:
        log(f"samplers on checkpoints {picks} …")
        if samplers is None:
            samplers = [("ddpm", None), ("ddim", 10), ("dpmpp", 10)] if quick else SAMPLERS
        t = cfg.diffusion.timesteps
        samplers = list(dict.fromkeys((n, k or t) for n, k in [("ddpm", t), *samplers]))
        result["sampling_run"] = str(run_dir)

        def save(rows):
            result["sampling"] = rows
            write_json(out, result)

        rows = bench_sampling(
            run,
            picks,
            images or (16 if quick else 512),
            phase_images or (16 if quick else 128),
            samplers,
            device,
            on_row=save,
        )
        result["sampling"] = rows
        result["sampler_choice"] = choose_sampler(rows)
        write_json(out, result)
    if "bf16" in parts:
        log("bf16 autocast against fp32 …")
        result["bf16"] = bench_bf16(run, picks["final"], images or (16 if quick else 512), device)
    write_json(out, result)
    return result


def _phase_checkpoints(run: RunFolder) -> dict[str, int]:
    """The middle checkpoint of each phase seen, then the final one (from phases.json)."""
    rows = json.loads((run.root / "phases.json").read_text())
    final = rows[-1]["step"]
    picks = {}
    for phase in ("A", "B", "C"):
        steps = [r["step"] for r in rows if r["phase"] == phase and r["step"] != final]
        if steps:
            picks[phase] = steps[len(steps) // 2]
    return {**picks, "final": final}


if __name__ == "__main__":  # python -m bumpdiff.bench … = bumpdiff bench …
    import sys

    from bumpdiff.cli import app

    app(["bench", *sys.argv[1:]])
