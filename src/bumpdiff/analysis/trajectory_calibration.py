"""The trajectory phase's threshold calibrated on a trained run (``bumpdiff evidence
trajectory-calibration RUN OUT.json``; docs/science.md, "Trajectory probe").

Every checkpoint's evaluation is generated again through the trajectory recorder (the run's own
sampler and seeds, so the very trajectories its eval rows measured), and at every captured
timestep layers with a known answer (probe/trajectory_null.py) are measured beside the trained
layer, against the same controls: null layers (other untrained networks, other weight-shuffled
copies, a random map of the pixels), whose learned part must stay at or below the threshold, and
positive layers (a null layer mixed with features of μ or of p at known shares), which the
threshold should let through. The threshold is the smallest 0.01 above every null case's
bootstrap low; each layer's trajectory phase under it is counted per checkpoint.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np
import torch

from bumpdiff.analysis.pipeline import classify_images, eval_conditions, load_checkpoint_model
from bumpdiff.analysis.trajectory import control_networks, control_reps, recorder_for
from bumpdiff.config import Config, ConfigError
from bumpdiff.diffusion.network import init_model
from bumpdiff.diffusion.sampling import generate
from bumpdiff.probe.trajectory import replay, shuffled_weights
from bumpdiff.probe.trajectory_metrics import trajectory_phase
from bumpdiff.probe.trajectory_null import (
    leak_layer,
    learned_cases,
    mixed,
    position_features,
    threshold_above,
)
from bumpdiff.store.runfolder import RunFolder

NULL_SEEDS = (1, 2, 3)  # seeds of the null networks, offsets from the run's (controls use 0)
SHARES = (0.02, 0.05, 0.1, 0.2, 0.4)  # the positive layers' signal shares of the variance
FEATURE_SEED = 11
Z = 1.96


def null_networks(model: torch.nn.Module, cfg: Config) -> dict[str, torch.nn.Module]:
    """Untrained networks of other seeds and weight-shuffled copies of other seeds."""
    nets = {}
    for s in NULL_SEEDS:
        nets[f"untrained-{s}"] = init_model(cfg.model_copy(update={"seed": cfg.seed + s})).eval()
        nets[f"shuffled-{s}"] = shuffled_weights(model, cfg.trajectory.seed + s)
    return nets


def candidate_layers(
    cap, cond: np.ndarray, p: np.ndarray, nets: dict, cfg: Config, pixels: np.ndarray
) -> dict[str, np.ndarray]:
    """The trained layer, the null layers and the positive layers of one capture."""
    cond_t = torch.from_numpy(cond.astype(np.float32))
    layers = {"trained": cap.activations, "leak": leak_layer(pixels, FEATURE_SEED)}
    layers |= {name: replay(net, cfg.probe.layer, cap, cond_t) for name, net in nets.items()}
    base = layers[f"untrained-{NULL_SEEDS[0]}"]
    for share in SHARES:
        layers[f"condition@{share}"] = mixed(base, position_features(cond, FEATURE_SEED), share)
        layers[f"generated@{share}"] = mixed(base, position_features(p, FEATURE_SEED), share)
    return layers


def checkpoint_cases(run: RunFolder, cfg: Config, step: int) -> list[dict]:
    """One row per (captured t, layer): its learned part against μ and against p."""
    model = load_checkpoint_model(run, cfg, step)
    recorder = recorder_for(model, cfg)
    images, cond = generate(
        recorder, cfg, eval_conditions(cfg), cfg.sample.draws, cfg.sample.seed, None
    )
    p = classify_images(cfg, images, cond).centers
    controls, nets = control_networks(model, run, cfg), null_networks(model, cfg)
    rows = []
    for _, cap in sorted(recorder.merged().items(), reverse=True):
        ctrl = control_reps(controls, cfg, cap, cond)
        layers = candidate_layers(cap, cond, p, nets, cfg, ctrl["pixels"])
        targets = {"condition": cond, "generated": p}
        found = learned_cases(layers, ctrl, targets, cfg.probe.knn, cfg.trajectory.seed)
        for name, by_target in found.items():
            row = {"step": step, "t": cap.t, "layer": name}
            for target, (point, low, high) in by_target.items():
                row |= {f"learned_{target}": point, f"learned_{target}_low": low}
                row[f"learned_{target}_high"] = high
            rows.append(row)
    return rows


def kind_of(layer: str) -> str:
    """trained, null (untrained-*, shuffled-*, leak) or the positive layer's name."""
    if layer == "trained" or "@" in layer:
        return layer
    return "null"


def summarise(rows: list[dict]) -> dict:
    """The threshold (above every null low), the bootstrap standard error, and per layer the
    trajectory phase of each checkpoint under the threshold."""
    null = [r for r in rows if kind_of(r["layer"]) == "null"]
    lows = [r[f"learned_{t}_low"] for r in null for t in ("condition", "generated")]
    threshold = threshold_above(lows)
    widths = [r[f"learned_{t}_high"] - r[f"learned_{t}_low"] for r in rows
              for t in ("condition", "generated")]  # fmt: skip
    se = float(np.nanmedian(widths) / (2 * Z))
    phases: dict[str, dict[int, str]] = {}
    for layer in dict.fromkeys(r["layer"] for r in rows):
        mine = [r for r in rows if r["layer"] == layer]
        for step in dict.fromkeys(r["step"] for r in mine):
            steps = [r for r in mine if r["step"] == step]
            phases.setdefault(layer, {})[step] = trajectory_phase(steps, threshold)
    return {
        "min_learned": threshold,
        "positives": positive_power(rows, threshold, se),
        "null_max_low": float(np.nanmax(lows)),
        "null_max_point": float(
            np.nanmax([r[f"learned_{t}"] for r in null for t in ("condition", "generated")])
        ),  # fmt: skip
        "bootstrap_se": se,
        "detectable_learned": threshold + Z * se,
        "phases": phases,
        "phase_counts": {k: dict(Counter(v.values())) for k, v in phases.items()},
    }


def positive_power(rows: list[dict], threshold: float, se: float) -> dict[str, dict]:
    """Per positive layer: its largest learned part on its own target over the captured t, per
    checkpoint (median and least over checkpoints), and the median's distance above the
    threshold in bootstrap standard errors (the design's power against a layer of that share)."""
    out = {}
    for layer in dict.fromkeys(r["layer"] for r in rows if "@" in r["layer"]):
        target = layer.split("@")[0]
        best: dict[int, float] = {}
        for r in rows:
            value = r[f"learned_{target}"]
            if r["layer"] == layer and value is not None and np.isfinite(value):
                best[r["step"]] = max(best.get(r["step"], -np.inf), value)
        values = np.array(list(best.values()) or [np.nan])
        median = float(np.median(values))
        out[layer] = {"median_best": median, "least_best": float(values.min()),
                      "median_above_threshold_se": (median - threshold) / se}  # fmt: skip
    return out


def calibrate(
    run: RunFolder,
    steps: Sequence[int] | None = None,
    t: Sequence[int] | None = None,
    log: Callable[[str], None] = print,
) -> dict:
    """``checkpoint_cases`` at every checkpoint (or ``steps``) of the run, then ``summarise``;
    ``t`` sets the captured timesteps when the run's config has none."""
    cfg = run.read_config()
    if t:
        cfg = cfg.model_copy(
            update={"trajectory": cfg.trajectory.model_copy(update={"t": list(t)})}
        )
    if not cfg.trajectory.t:
        raise ConfigError("trajectory.t: the run captures no timestep; give some with --t")
    rows = []
    chosen = list(steps) if steps else run.checkpoint_steps()
    for i, step in enumerate(chosen, 1):
        rows += checkpoint_cases(run, cfg, step)
        log(f"[{i}/{len(chosen)}] step {step}")
    settings = {"t": cfg.trajectory.t, "knn": cfg.probe.knn, "layer": cfg.probe.layer,
                "shares": list(SHARES), "null_seeds": list(NULL_SEEDS)}  # fmt: skip
    return {"run": str(run.root), "settings": settings, **summarise(rows), "cases": rows}
