"""The trajectory probe of one checkpoint (docs/science.md, "Trajectory probe"): its evaluation
images are generated through a ``probe.trajectory.Recorder``, so the layer is read along the very
generations that are scored; then, at every captured timestep, the layer is measured against the
condition μ and against where each image's dominant bump ended up (p), beside the controls fed the
same x_t (the untrained network of the run's step 0, a weight-shuffled copy of this checkpoint,
the pixels of x_t); and x̂₀'s dominant bump shows when the sampler commits to a place.
"""

from __future__ import annotations

import numpy as np
import torch

from bumpdiff.config import Config
from bumpdiff.data import to_data_scale
from bumpdiff.devices import resolve_device
from bumpdiff.diffusion.schedule import alphas_cumprod
from bumpdiff.probe.placement import denoised_estimate
from bumpdiff.probe.trajectory import Capture, Recorder, replay, shuffled_weights
from bumpdiff.probe.trajectory_metrics import (
    committed_share,
    decision_t,
    measure_step,
    trajectory_phase,
)
from bumpdiff.scoring.outcomes import Classification
from bumpdiff.store.checkpoint import load_model
from bumpdiff.store.runfolder import RunFolder

_UNTRAINED: dict[str, torch.nn.Module] = {}  # the run's step-0 network, loaded once per process


def recorder_for(model: torch.nn.Module, cfg: Config) -> Recorder | None:
    """The network that records the trajectory, or None when ``trajectory.t`` is empty."""
    if not cfg.trajectory.t:
        return None
    return Recorder(model, cfg.probe.layer, sorted(cfg.trajectory.t, reverse=True))


def untrained_network(run: RunFolder, cfg: Config) -> torch.nn.Module:
    """The run's step-0 network (the untrained control), loaded once per process and run."""
    key = str(run.root.resolve())
    if key not in _UNTRAINED:
        _UNTRAINED.clear()
        path = run.checkpoint_path(run.checkpoint_steps()[0])
        _UNTRAINED[key] = load_model(path, resolve_device(cfg.train.device))[0]
    return _UNTRAINED[key]


def _xhat_centers(
    cfg: Config, capture: Capture, abar: torch.Tensor, cond: np.ndarray, classify
) -> np.ndarray:
    """The dominant bump of each sample's x̂₀ at the capture's step (data scale, x̂₀ clipped
    to the data range as the sampler clips it); ``abar``: the ᾱ schedule."""
    x0 = denoised_estimate(capture.x_t, capture.eps_hat, float(abar[capture.t])).clamp(-1, 1)
    return classify(cfg, to_data_scale(x0[:, 0].numpy()), cond).centers


def trajectory_rows(
    model: torch.nn.Module,
    run: RunFolder,
    cfg: Config,
    recorder: Recorder,
    cond: np.ndarray,
    result: Classification,
    classify,
) -> tuple[dict, dict]:
    """Every captured step's measures, the decision times and the trajectory phase (the eval
    row's fields), and the arrays kept beside the samples: the captured t, each step's 3D UMAP
    of the trained layer (report figures) and each sample's x̂₀ dominant bump at each step.

    ``cond`` (n, 2) and ``result`` are the evaluation's conditions and classification (p = its
    dominant centres); ``classify`` is the run's image classifier (analysis.classify_images)."""
    tr = cfg.trajectory
    draw = np.arange(len(cond)) % cfg.sample.draws
    controls = control_networks(model, run, cfg)
    abar, knn, neighbors = alphas_cumprod(cfg.diffusion), cfg.probe.knn, cfg.probe.umap_neighbors
    steps, to_p, to_mu, embeddings, xhat = [], {}, {}, [], []
    for requested, cap in sorted(recorder.merged().items(), reverse=True):
        reps = {"trained": cap.activations, **control_reps(controls, cfg, cap, cond)}
        row, embedding = measure_step(reps, cond, result.centers, draw, knn, neighbors, tr.seed)
        embeddings.append(embedding)
        centers = _xhat_centers(cfg, cap, abar, cond, classify)
        xhat.append(centers)
        to_p[cap.t] = committed_share(centers, result.centers, cfg.eval.tolerance)
        to_mu[cap.t] = committed_share(centers, cond, cfg.eval.tolerance)
        steps.append({"t": cap.t, "requested_t": requested, "xhat_at_generated": to_p[cap.t],
                      "xhat_at_condition": to_mu[cap.t], **row})  # fmt: skip
    found = {
        "trajectory": steps,
        "decided_t_generated": decision_t(to_p),
        "decided_t_condition": decision_t(to_mu),
        "trajectory_phase": trajectory_phase(steps, tr.min_learned),
    }
    return found, {"trajectory_t": np.array([s["t"] for s in steps]),
                   "trajectory_umap": np.stack(embeddings).astype(np.float32),
                   "trajectory_xhat": np.stack(xhat).astype(np.float32)}  # fmt: skip


def control_networks(model: torch.nn.Module, run: RunFolder, cfg: Config) -> dict:
    """The network controls of a checkpoint: the run's untrained network and a weight-shuffled
    copy of ``model`` (seeded by ``trajectory.seed``)."""
    return {
        "untrained": untrained_network(run, cfg),
        "shuffled": shuffled_weights(model, cfg.trajectory.seed),
    }


def control_reps(controls: dict, cfg: Config, cap: Capture, cond: np.ndarray) -> dict:
    """Every control's representation of one capture: the networks' probed layer on the inputs
    the trained network saw, and the pixels of x_t."""
    cond_t = torch.from_numpy(cond.astype(np.float32))
    reps = {k: replay(net, cfg.probe.layer, cap, cond_t) for k, net in controls.items()}
    return {**reps, "pixels": cap.x_t.flatten(1).numpy()}


def trajectory_signature(cfg: Config) -> str:
    """What an eval row's trajectory measures depend on besides the network; "" when it is off. A
    row with another signature is evaluated again on resume."""
    if not cfg.trajectory.t:
        return ""
    probe = {k: getattr(cfg.probe, k) for k in ("layer", "knn", "umap_neighbors")}
    # min_learned only names the phase, which the phases table names again from the rows
    fields = {**cfg.trajectory.model_dump(exclude={"min_learned"}), **probe}
    return ",".join(f"{k}={v}" for k, v in sorted(fields.items()))
