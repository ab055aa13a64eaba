"""The `torus` experiment (follow-up paper, Fig. 2-3): bumps on a periodic canvas, whose
conditions form a torus. Trains one model with dense early checkpoints; at each checkpoint,
evaluates the generations and captures the probe layer's per-condition means; reports accuracy,
PCA spectrum and effective dimension against step, PCA views, the persistence diagram at the end
and whether the terminal representation is closer to the ideal coupled (3D) or factorized
(Clifford, 4D) torus, with the halves of the probe's draws, the encoder alone and permuted
conditions as controls.

The representation of a condition is, by default, the probe layer's mean over noised bumps at
positions drawn independently of it (the placement probe's crossed inputs at ``torus.t``), so
the input carries no trace of the condition; the phase probe's pure noise at t = T - 1 is the
alternative (``torus.input``), but there a trained model's per-condition means are noise. With
crossed inputs the same activations, averaged over the conditions at each input position ν,
give the layer's response to where the input bump is: a torus the conditioning encoder cannot
supply (``torus_stats.input_response``).

Run folder: the trained run, ``geometry/<step>.npz`` (conditions, means, the means of each half of
the inputs, the encoder's embedding, their split-half reliability), ``torus.json``, ``figures/``
and ``report.html``.
"""

from __future__ import annotations

import numpy as np
import torch

from bumpdiff.analysis.pipeline import analyse_pending, load_checkpoint_model
from bumpdiff.analysis.probing import probe_conditions, probe_signature
from bumpdiff.config import Config, ConfigError
from bumpdiff.data import lattice_from_config, subgrid
from bumpdiff.diffusion.schedule import alphas_cumprod
from bumpdiff.experiments.base import Experiment, Log, train_to_end
from bumpdiff.experiments.members import write_summary
from bumpdiff.experiments.torus_stats import geometry_row, sentences, terminal
from bumpdiff.probe import capture_activations, probe_inputs
from bumpdiff.probe.placement import crossed_inputs
from bumpdiff.probe.reliability import draw_groups, split_half_reliability
from bumpdiff.probe.trajectory import shuffled_weights
from bumpdiff.report import followup_pages
from bumpdiff.store.runfolder import RunFolder, load_npz, save_npz


def train_models(cfg: Config, root: RunFolder, log: Log, progress: bool = True) -> None:
    train_to_end(cfg, root, log, progress)


def geometry_path(run: RunFolder, step: int):
    return run.root / "geometry" / f"{step}.npz"


def _activations(model: torch.nn.Module, cfg: Config):
    """(conditions (M, 2), activations grouped by condition (M, R, d), and with ``torus.input``
    crossed the input bumps' positions ν (R, 2) of those R inputs, else None)."""
    p, d = cfg.probe, cfg.data
    abar = alphas_cumprod(cfg.diffusion)
    mu = probe_conditions(cfg)
    if cfg.torus.input == "crossed":
        t = crossed_t(cfg)
        nu = subgrid(lattice_from_config(d), p.placement_positions)
        x, cond, _ = crossed_inputs(mu, nu, d.size, d.sigmas, t, abar, p.seed, d.periodic)
        acts = capture_activations(model, p.layer, x, cond, t, cfg.sample.batch_size)
        return mu, acts.astype(np.float64).reshape(len(mu), len(nu), -1), nu
    x, cond = probe_inputs(mu, p.draws, p.input, d.size, p.seed, p.t, abar, d.sigmas, d.periodic)
    acts = capture_activations(model, p.layer, x, cond, p.t, cfg.sample.batch_size)
    return *draw_groups(acts.astype(np.float64), cond.numpy()), None


def crossed_t(cfg: Config) -> int:
    """``torus.t``, or half of T."""
    return cfg.torus.t or cfg.diffusion.timesteps // 2


def signature(cfg: Config) -> str:
    """What the captured means depend on besides the network."""
    return f"{probe_signature(cfg)};{cfg.torus.input},t={crossed_t(cfg)};input response"


@torch.inference_mode()
def capture_means(model: torch.nn.Module, cfg: Config) -> dict[str, np.ndarray]:
    """The probe layer's per-condition means (``torus.input``), the means of the even and the
    odd inputs, their split-half reliability, the conditioning encoder's embedding of each
    condition (the encoder-alone control), and with crossed inputs the response to the input
    bump's position (``_input_response``)."""
    uniq, groups, nu = _activations(model, cfg)
    device = next(model.parameters()).device
    encoder = model.cond(torch.from_numpy(uniq.astype(np.float32)).to(device)).cpu().numpy()
    return {
        "conditions": uniq,
        "means": groups.mean(axis=1).astype(np.float32),
        "half_a": groups[:, 0::2].mean(axis=1).astype(np.float32),
        "half_b": groups[:, 1::2].mean(axis=1).astype(np.float32),
        "encoder": encoder.astype(np.float32),
        "reliability": np.array(split_half_reliability(groups)),
        "signature": np.array(signature(cfg)),
        **(_input_response(groups, nu) if nu is not None else {}),
    }


def _input_response(groups: np.ndarray, nu: np.ndarray) -> dict[str, np.ndarray]:
    """The layer's mean at each input position ν over every condition (and over the even and
    the odd conditions): its response to where the input bump is, not to the condition."""
    return {
        "input_positions": nu,
        "input_means": groups.mean(axis=0).astype(np.float32),
        "input_half_a": groups[0::2].mean(axis=0).astype(np.float32),
        "input_half_b": groups[1::2].mean(axis=0).astype(np.float32),
    }


def analyse(cfg: Config, root: RunFolder, log: Log) -> None:
    """Evaluate every checkpoint and capture its means (each skipped when already done with the
    same settings)."""
    analyse_pending(root, cfg, log, parts=("eval",))
    for step in root.checkpoint_steps():
        path = geometry_path(root, step)
        if path.is_file() and str(load_npz(path)["signature"]) == signature(cfg):
            continue
        save_npz(path, **capture_means(load_checkpoint_model(root, cfg, step), cfg))
        log(f"geometry of step {step} captured")
    _capture_shuffled(cfg, root, log)


def shuffled_path(run: RunFolder):
    return run.root / "geometry" / "shuffled.npz"


def _capture_shuffled(cfg: Config, root: RunFolder, log: Log) -> None:
    """The means of the last checkpoint with each weight tensor's entries permuted (seeded by
    the run's seed): the weight-shuffled control of the verdicts over seeds."""
    last = root.checkpoint_steps()[-1]
    sig = f"{signature(cfg)};shuffled weights of step {last}, seed {cfg.seed}"
    path = shuffled_path(root)
    if path.is_file() and str(load_npz(path)["signature"]) == sig:
        return
    model = shuffled_weights(load_checkpoint_model(root, cfg, last), cfg.seed)
    save_npz(path, **{**capture_means(model, cfg), "signature": np.array(sig)})
    log(f"geometry of the weight-shuffled step {last} captured")


def summary(cfg: Config, root: RunFolder) -> dict:
    """Per checkpoint: accuracy and geometry; at the end: ``torus_stats.terminal``."""
    evals = root.latest_by_step("eval")
    rows, arrays = [], {}
    for step in root.checkpoint_steps():
        path = geometry_path(root, step)
        if step not in evals or not path.is_file():
            continue
        arrays[step] = load_npz(path)
        geo = geometry_row(arrays[step]["conditions"], arrays[step]["means"].astype(np.float64),
                           cfg.torus)  # fmt: skip
        rows.append({"step": step, "accuracy": evals[step].accuracy,
                     "reliability": float(arrays[step]["reliability"]), **geo})  # fmt: skip
    if not rows:
        raise ConfigError(f"run: {root.root} has no analysed checkpoint; analyse it")
    last, first = (_as_float64(arrays[rows[i]["step"]]) for i in (-1, 0))
    path = shuffled_path(root)
    shuffled = _as_float64(load_npz(path)) if path.is_file() else None
    end = terminal(last, cfg.torus, cfg.phase.min_reliability, cfg.seed, first, shuffled)
    return {"checkpoints": rows, "terminal": end, "sentences": sentences(rows, end),
            "snapshots": _snapshots(rows, arrays, cfg.torus.snapshots)}  # fmt: skip


def _as_float64(arrays: dict) -> dict:
    return {k: v.astype(np.float64) if v.dtype.kind == "f" else v for k, v in arrays.items()}


def _snapshots(rows: list[dict], arrays: dict, count: int) -> list[dict]:
    """The first, last and evenly spaced checkpoints between: conditions and the top 4 PCs."""
    picks = sorted({int(round(i)) for i in np.linspace(0, len(rows) - 1, count)})
    out = []
    for i in picks:
        a = arrays[rows[i]["step"]]
        means = a["means"].astype(np.float64)
        centred = means - means.mean(axis=0)
        u, s, _ = np.linalg.svd(centred, full_matrices=False)
        out.append({"step": rows[i]["step"], "conditions": a["conditions"].tolist(),
                    "pcs": (u[:, :4] * s[:4]).tolist()})  # fmt: skip
    return out


def report(cfg: Config, root: RunFolder) -> list[str]:
    """torus.json, figures and report.html; the headline lines."""
    data = summary(cfg, root)
    followup_pages.torus_page(root, cfg, data)
    return write_summary(root, "torus", data, data["sentences"])


EXPERIMENT = Experiment("torus", train_models, analyse, report)
