"""The `calibration` experiment: the phase rule on inputs whose answer is known, and on the
untrained network. Nothing is trained.

Known-answer clouds are built here, not with the project's renderer or network, except the relay,
which needs the encoder it relays. Each has the config's lattice of conditions, ``draws`` rows per
condition, ``calibration.features`` features, and a signal whose share of the variance is
``share`` (the rest is independent Gaussian noise per row):

- sheet: a 2D sheet smoothly and nonlinearly embedded (tanh of x, y, sin 3x, sin 3y): answer C;
- permuted: the same sheet with the conditions shuffled: a disordered 2D manifold, answer B;
- relay: a random linear map of the untrained conditioning encoder's output (what a layer that
  only relays the encoder holds): never B (it is ordered, however weak);
- noise: no signal: answer A.
At small shares the per-condition means are noisy; there the right answer may also be
"undetermined" (or A when the share is below the floor), never a confident wrong label.

The untrained network of each seed: its pure-noise probe (the config's draws) and its
conditioning encoder alone, with the x̂₀ readout. Run folder: ``calibration.json``
(store.summaries.CalibrationSummary: every cloud's metrics under each component-reliability floor,
and the untrained rows), ``summary.md`` (the phase each known answer got, per floor and number of
draws; calibration_stats.py) and ``report.html``.
"""

from __future__ import annotations

import numpy as np
import torch

from bumpdiff.analysis.probing import placement_controls
from bumpdiff.config import Config, ConfigError
from bumpdiff.data import lattice_from_config
from bumpdiff.diffusion.network import init_model
from bumpdiff.diffusion.schedule import alphas_cumprod
from bumpdiff.experiments.base import Experiment, Log
from bumpdiff.experiments.calibration_stats import KEYS, KINDS, summary_md
from bumpdiff.probe import capture_activations, phase_of, probe_inputs
from bumpdiff.report import pages
from bumpdiff.store.runfolder import RunFolder, atomic_write_text


def encoder_output(cfg: Config, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The untrained conditioning encoder of ``cfg`` with ``seed`` on its lattice:
    (conditions (m, 2), outputs (m, e))."""
    cfg = cfg.model_copy(update={"seed": seed})
    grid = lattice_from_config(cfg.data)
    with torch.inference_mode():
        out = init_model(cfg).cond(torch.from_numpy(grid.astype(np.float32))).numpy()
    return grid, out.astype(np.float64)


def signal(kind: str, grid: np.ndarray, seed: int, encoder: np.ndarray, features: int):
    """The per-condition signal (m, features) of a cloud of ``kind``, before scaling."""
    rng = np.random.default_rng(seed)
    if kind == "relay":
        return encoder @ rng.normal(size=(encoder.shape[1], features))
    u = (grid - grid.mean(0)) / np.ptp(grid, axis=0)
    sheet = np.tanh(np.concatenate([u, np.sin(3 * u)], axis=1) @ rng.normal(size=(4, features)))
    return sheet[rng.permutation(len(grid))] if kind == "permuted" else sheet


def cloud(sig: np.ndarray, share: float, draws: int, seed: int) -> np.ndarray:
    """Rows (m·draws, features): ``share`` of the variance from the signal, the rest noise."""
    rng = np.random.default_rng(seed + 1000)
    s = sig - sig.mean(axis=0)
    s = s / max(np.sqrt((s**2).sum(axis=1).mean()), 1e-12)  # all-zero signal: noise alone
    rows = np.repeat(s, draws, axis=0)
    noise = rng.normal(size=rows.shape) / np.sqrt(rows.shape[1])
    return np.sqrt(share) * rows + np.sqrt(1 - share) * noise


def cloud_rows(cfg: Config, log: Log) -> list[dict]:
    """Every cloud's phase and metrics under each floor (module docstring)."""
    c = cfg.calibration
    grid = lattice_from_config(cfg.data)
    encoders = {seed: encoder_output(cfg, seed)[1] for seed in c.seeds}
    rows = []
    for floor in c.floors:
        rule = cfg.phase.model_copy(update={"min_component_reliability": floor})
        for kind in KINDS:
            for share in c.shares if kind != "noise" else (0.0,):
                for draws in c.draws:
                    for seed in c.seeds:
                        sig = signal(kind, grid, seed, encoders[seed], c.features)
                        acts = cloud(sig if share else sig * 0, share, draws, seed)
                        result = phase_of(acts, np.repeat(grid, draws, axis=0), rule)
                        head = dict(floor=floor, kind=kind, share=share, draws=draws, seed=seed)
                        metrics = {k: result.metrics[k] for k in KEYS}
                        rows.append({**head, "phase": result.phase, **metrics})
        log(f"floor {floor}: {len(rows)} clouds")
    return rows


def untrained_rows(cfg: Config) -> list[dict]:
    """The untrained network's pure-noise probe (the config's draws) and its encoder alone."""
    rows = []
    for seed in cfg.calibration.seeds:
        seeded = cfg.model_copy(update={"seed": seed})
        p, grid = seeded.probe, lattice_from_config(seeded.data)
        abar = alphas_cumprod(seeded.diffusion)
        x, cond = probe_inputs(grid, p.draws, p.input, seeded.data.size, p.seed, p.t, abar)
        model = init_model(seeded).eval()
        acts = capture_activations(model, p.layer, x, cond, p.t)
        layer = phase_of(acts, cond.numpy(), seeded.phase, p)
        encoder = phase_of(encoder_output(seeded, seed)[1], grid, seeded.phase, p)
        readout = placement_controls(model, seeded)["readout_at_condition"]
        for what, result in (("layer", layer), ("encoder", encoder)):
            rows.append({"seed": seed, "what": what, "draws": p.draws if what == "layer" else 1,
                         "phase": result.phase, "readout_at_condition": readout,
                         **{k: result.metrics[k] for k in KEYS}})  # fmt: skip
    return rows


def train_models(cfg: Config, root: RunFolder, log: Log, progress: bool = True) -> None:
    """Nothing to train: the study measures the rule on built clouds and untrained networks."""


def analyse(cfg: Config, root: RunFolder, log: Log) -> None:
    """Measure every cloud and untrained network, unless calibration.json already holds them."""
    if root.read_summary("calibration") is not None:
        return
    torch.manual_seed(cfg.seed)
    untrained = untrained_rows(cfg)
    log(f"untrained network: {len(untrained)} rows")
    data = {"untrained": untrained, "clouds": cloud_rows(cfg, log)}
    root.write_summary("calibration", data)


def report(cfg: Config, root: RunFolder) -> list[str]:
    """summary.md and report.html from calibration.json; the headline lines."""
    summary = root.read_summary("calibration")
    if summary is None:
        raise ConfigError(f"run: no calibration.json in {root.root} (run the study first)")
    data = summary.model_dump(mode="python")
    text = summary_md(data["clouds"], data["untrained"], cfg)
    atomic_write_text(root.root / "summary.md", text)
    pages.render(root, cfg, summary=text)
    clouds = len(data["clouds"])
    return [f"{clouds} clouds and {len(data['untrained'])} untrained rows measured",
            f"summary: {root.summary_path('calibration')}"]  # fmt: skip


EXPERIMENT = Experiment("calibration", train_models, analyse, report)
