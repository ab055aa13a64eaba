"""Calibration data of the phase rule: known-answer clouds and the untrained network.

python results/phase_calibration.py results/phase-calibration

Writes ``clouds.json`` (every synthetic cloud's metrics under each component-reliability floor),
``untrained.json`` (the quick preset's untrained network, 3 seeds: its pure-noise probe and its
conditioning encoder alone) and ``summary.md`` (the phase each known answer got, per floor and
number of draws). About 8 minutes on 1 CPU core.

The clouds are built here, not with the project's renderer or network, except the relay, which
needs the encoder it relays. Each has 64 conditions (the quick lattice, 2..9 in x and y), ``draws``
rows per condition, 256 features, and a signal whose share of the variance is ``share`` (the rest
is independent Gaussian noise per row):

- sheet: a 2D sheet smoothly and nonlinearly embedded (tanh of x, y, sin 3x, sin 3y): answer C;
- permuted: the same sheet with the conditions shuffled: a disordered 2D manifold, answer B;
- relay: a random linear map of the untrained conditioning encoder's output (what a layer that
  only relays the encoder holds): never B (it is ordered, however weak);
- noise: no signal: answer A.
At small shares the per-condition means are noisy; there the right answer may also be
"undetermined" (or A when the share is below the floor), never a confident wrong label.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import torch

from bumpdiff.analysis.pipeline import placement_controls
from bumpdiff.config import PhaseConfig, load_config
from bumpdiff.data import lattice_from_config
from bumpdiff.diffusion.network import init_model
from bumpdiff.diffusion.schedule import alphas_cumprod
from bumpdiff.probe import capture_activations, phase_of, probe_inputs
from bumpdiff.probe.phase import classify_phase

QUICK = "configs/quick.yaml"
KINDS = ("sheet", "permuted", "relay", "noise")
SHARES = (0.0, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.3)
DRAWS = (8, 16, 32, 64)
SEEDS = (0, 1, 2)
FLOORS = (0.7, 0.8, 0.9)
EXPECTED = {"sheet": {"C"}, "permuted": {"B"}, "relay": {"A", "C"}, "noise": {"A"}}
KEYS = (
    "condition_share", "condition_share_null", "reliability", "reliable_dims", "half_agreement",
    "dimension", "trustworthiness", "r2_x_pca", "r2_y_pca", "trustworthiness_raw",
)  # fmt: skip


def encoder_output(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The quick preset's untrained conditioning encoder on its lattice: (conditions, (64, e))."""
    cfg = load_config(QUICK).model_copy(update={"seed": seed})
    grid = lattice_from_config(cfg.data)
    with torch.inference_mode():
        out = init_model(cfg).cond(torch.from_numpy(grid.astype(np.float32))).numpy()
    return grid, out.astype(np.float64)


def signal(kind: str, grid: np.ndarray, seed: int, encoder: np.ndarray) -> np.ndarray:
    """The per-condition signal (64, 256) of a cloud, before scaling."""
    rng = np.random.default_rng(seed)
    if kind == "relay":
        return encoder @ rng.normal(size=(encoder.shape[1], 256))
    u = (grid - grid.mean(0)) / np.ptp(grid, axis=0)
    sheet = np.tanh(np.concatenate([u, np.sin(3 * u)], axis=1) @ rng.normal(size=(4, 256)))
    return sheet[rng.permutation(len(grid))] if kind == "permuted" else sheet


def cloud(sig: np.ndarray, share: float, draws: int, seed: int) -> np.ndarray:
    """Rows (64·draws, 256): share of the variance from the signal, the rest noise."""
    rng = np.random.default_rng(seed + 1000)
    s = sig - sig.mean(axis=0)
    s = s / max(np.sqrt((s**2).sum(axis=1).mean()), 1e-12)  # all-zero signal: noise alone
    rows = np.repeat(s, draws, axis=0)
    noise = rng.normal(size=rows.shape) / np.sqrt(rows.shape[1])
    return np.sqrt(share) * rows + np.sqrt(1 - share) * noise


def cloud_rows() -> list[dict]:
    grid, _ = encoder_output(0)
    encoders = {seed: encoder_output(seed)[1] for seed in SEEDS}
    rows = []
    for floor in FLOORS:
        rule = PhaseConfig(min_component_reliability=floor)
        for kind in KINDS:
            for share in SHARES if kind != "noise" else (0.0,):
                for draws in DRAWS:
                    for seed in SEEDS:
                        sig = signal(kind, grid, seed, encoders[seed])
                        acts = cloud(sig if share else sig * 0, share, draws, seed)
                        result = phase_of(acts, np.repeat(grid, draws, axis=0), rule)
                        rows.append(
                            {
                                "floor": floor,
                                "kind": kind,
                                "share": share,
                                "draws": draws,
                                "seed": seed,
                                "phase": result.phase,
                                **{k: result.metrics[k] for k in KEYS},
                            }  # fmt: skip
                        )
        print(f"floor {floor}: {len(rows)} clouds", flush=True)
    return rows


def untrained_rows() -> list[dict]:
    """The untrained network's pure-noise probe (the preset's draws) and its encoder alone."""
    rows = []
    for seed in SEEDS:
        cfg = load_config(QUICK).model_copy(update={"seed": seed})
        p, grid = cfg.probe, lattice_from_config(cfg.data)
        x, cond = probe_inputs(
            grid, p.draws, p.input, cfg.data.size, p.seed, p.t, alphas_cumprod(cfg.diffusion)
        )
        model = init_model(cfg).eval()
        acts = capture_activations(model, p.layer, x, cond, p.t)
        layer = phase_of(acts, cond.numpy(), cfg.phase, p)
        encoder = phase_of(encoder_output(seed)[1], grid, cfg.phase, p)
        readout = placement_controls(model, cfg)["readout_at_condition"]
        for what, result in (("layer", layer), ("encoder", encoder)):
            rows.append({"seed": seed, "what": what, "draws": p.draws if what == "layer" else 1,
                         "phase": result.phase, "readout_at_condition": readout,
                         **{k: result.metrics[k] for k in KEYS}})  # fmt: skip
    return rows


def summary_md(rows: list[dict], untrained: list[dict]) -> str:
    """Per floor and draws: how many of each kind's clouds got each phase, and the wrong ones."""
    lines = ["# Phase-rule calibration (generated by results/phase_calibration.py)", ""]
    for floor in FLOORS:
        lines += [f"## component-reliability floor {floor}", "",
                  "| kind | draws | phases (share ≥ 0.02) | phases (share < 0.02) | wrong |",
                  "|---|---|---|---|---|"]  # fmt: skip
        for kind in KINDS:
            for draws in DRAWS:
                sel = [
                    r for r in rows if (r["floor"], r["kind"], r["draws"]) == (floor, kind, draws)
                ]
                strong = Counter(r["phase"] for r in sel if r["share"] >= 0.02)
                weak = Counter(r["phase"] for r in sel if r["share"] < 0.02)
                wrong = [r for r in sel if r["phase"] not in EXPECTED[kind] | {"undetermined"}
                         and not (r["phase"] == "A" and r["share"] < 0.02)]  # fmt: skip
                lines.append(
                    f"| {kind} | {draws} | {_counts(strong)} | {_counts(weak)} | {_wrong(wrong)} |"
                )
        lines.append("")
    lines += margins(rows, PhaseConfig().min_component_reliability)
    lines += [
        "## untrained network (quick preset)",
        "",
        "| seed | what | phase | share | reliable dims | trustworthiness (reliable) | "
        "trustworthiness (raw) | x̂₀ readout at μ |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in untrained:
        lines.append(
            f"| {r['seed']} | {r['what']} | {r['phase']} | {r['condition_share']:.3f} | "
            f"{r['reliable_dims']} | {r['trustworthiness']:.2f} | {r['trustworthiness_raw']:.2f} | "
            f"{r['readout_at_condition']:.3f} |"
        )
    return "\n".join(lines) + "\n"


def margins(rows: list[dict], floor: float) -> list[str]:
    """How far the known answers sit from the thresholds, at the default floor."""
    sel = [r for r in rows if r["floor"] == floor]

    def span(name: str, key: str, keep) -> str:
        v = [r[key] for r in sel if keep(r) and r[key] is not None and np.isfinite(r[key])]
        if not v:
            return f"| {name} | {key} | 0 | – | – |"
        return f"| {name} | {key} | {len(v)} | {min(v):.3f} | {max(v):.3f} |"

    def named(kind: str, phase: str):
        return lambda r: r["kind"] == kind and r["phase"] == phase

    def low_relay(r: dict) -> bool:  # relays that reach the B-or-C decision and are not C
        decided = r["reliability"] >= PhaseConfig().min_reliability and r["reliable_dims"] >= 2
        return r["kind"] == "relay" and decided and r["phase"] != "C" and r["dimension"] <= 3

    return [
        f"## margins at the default floor ({floor})",
        "",
        "| clouds | metric | n | min | max |",
        "|---|---|---|---|---|",
        span("permuted, named B", "half_agreement", named("permuted", "B")),
        span("relay, reliable, low-dimensional, not C", "half_agreement", low_relay),
        span("sheet, named C", "trustworthiness", named("sheet", "C")),
        span("relay, named C", "trustworthiness", named("relay", "C")),
        span("permuted, named B", "trustworthiness", named("permuted", "B")),
        "",
    ]


def _wrong(rows: list[dict]) -> str:
    return ", ".join(f"{r['phase']}@{r['share']}" for r in rows) or "-"


def _counts(counter: Counter) -> str:
    return " ".join(f"{k}:{v}" for k, v in sorted(counter.items())) or "-"


def reclassify(rows: list[dict], rule: PhaseConfig) -> list[str]:
    """The phases the stored metrics get under another rule (same floor): for trying thresholds."""
    return [classify_phase(r, rule) for r in rows]


def main(out: str) -> None:
    torch.set_num_threads(1)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    untrained = untrained_rows()
    (folder / "untrained.json").write_text(json.dumps(untrained, indent=1) + "\n")
    rows = cloud_rows()
    (folder / "clouds.json").write_text(json.dumps(rows) + "\n")
    (folder / "summary.md").write_text(summary_md(rows, untrained))
    print(f"wrote {folder}/clouds.json, untrained.json, summary.md")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "results/phase-calibration")
