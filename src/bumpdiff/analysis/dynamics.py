"""The mechanisms analysis of a trained run (``bumpdiff dynamics RUN``), every checkpoint:

- **between the lattice points**: images generated at conditions off the training lattice
  (``eval.off_lattice``: cells' centres, then random points inside the hull) and where their
  one bump lies between the condition and the training positions (``scoring.snapping``);
- **analytic baselines**: r² between the network's ε̂ and that of the ideal and of the P-patch
  denoisers of its own training set (``diffusion.baselines``) on the same noised training images
  at ``mechanisms.fit_t``; the baselines themselves sampled with the run's sampler and seeds at
  the evaluation conditions and scored by the same detector (once per run: they do not train);
- **concept-space paths**: the mean generated position at a few target conditions.

``dynamics.json`` (``store.summaries.DynamicsSummary``) is written after each checkpoint and a
second call continues where the first stopped; other settings (``signature``) start it again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import torch

from bumpdiff.analysis.pipeline import classify_images, eval_conditions, load_checkpoint_model
from bumpdiff.config import Config, ConfigError
from bumpdiff.data import off_lattice_points, render_bumps, training_set
from bumpdiff.diffusion.baselines import AnalyticDenoiser
from bumpdiff.diffusion.sampling import generate, resolve_sampler
from bumpdiff.diffusion.schedule import add_noise, alphas_cumprod
from bumpdiff.scoring.outcomes import OUTCOMES
from bumpdiff.scoring.snapping import position_paths, snapping_index
from bumpdiff.store.runfolder import RunFolder, write_json
from bumpdiff.store.summaries import DynamicsSummary
from bumpdiff.training.loop import training_data


@dataclass
class Setup:
    """What every checkpoint is measured on (fixed by the config and its seeds)."""

    training: np.ndarray  # (m, 2) trained bump positions, frame pixels
    off: np.ndarray  # (k, 2) off-lattice conditions
    targets: np.ndarray  # (j, 2) path targets
    fit: list[tuple[int, torch.Tensor, torch.Tensor]]  # (t, x_t, cond) of the ε̂ comparison
    baselines: dict[str, AnalyticDenoiser]


def check_settings(cfg: Config) -> None:
    """Refuse settings the analysis cannot honour, naming the field."""
    m = cfg.mechanisms
    if "bump" not in cfg.data.kinds:
        raise ConfigError(f"data.kinds: dynamics needs 2D bump images, got {list(cfg.data.kinds)}")
    big = [p for p in m.patch_sizes if p > cfg.data.size]
    if big:
        raise ConfigError(
            f"mechanisms.patch_sizes: each must be ≤ data.size ({cfg.data.size}), got {big[0]}"
        )
    if m.fit_t[-1] >= cfg.diffusion.timesteps:
        raise ConfigError(
            f"mechanisms.fit_t: each must be < diffusion.timesteps ({cfg.diffusion.timesteps}), "
            f"got {m.fit_t[-1]}"
        )


def signature(cfg: Config) -> str:
    """The settings a dynamics.json was made with (``eval.tolerance_x`` only when set: files made
    before the field stay current)."""
    later = {"off_lattice"} | ({"tolerance_x"} if cfg.eval.tolerance_x is None else set())
    parts = {
        "mechanisms": cfg.mechanisms.model_dump(mode="json"),
        "off_lattice": cfg.eval.off_lattice,
        "sampler": resolve_sampler(cfg).label,
        "sample": [cfg.sample.seed, cfg.sample.draws, cfg.sample.max_conditions],
        "eval": cfg.eval.model_dump(mode="json", exclude=later),
    }
    return json.dumps(parts, sort_keys=True)


def _targets(cfg: Config, training: np.ndarray, off: np.ndarray) -> np.ndarray:
    """``mechanisms.targets``, or two training positions and two off-lattice conditions: of each,
    the one nearest the middle of the hull's box and another nearest its lower quarter."""
    if cfg.mechanisms.targets is not None:
        return np.asarray(cfg.mechanisms.targets, float) - cfg.data.offset
    lo, hi = training.min(axis=0), training.max(axis=0)
    picks = []
    for pool in (training, off):
        order = [int(np.argmin(((pool - where) ** 2).sum(axis=1)))
                 for where in ((lo + hi) / 2, lo + (hi - lo) / 4)] if len(pool) else []  # fmt: skip
        if len(order) == 2 and order[0] == order[1]:  # one point nearest both: the next instead
            rest = np.delete(np.arange(len(pool)), order[0])
            if len(rest):
                d = ((pool[rest] - (lo + (hi - lo) / 4)) ** 2).sum(axis=1)
                order[1] = int(rest[np.argmin(d)])
        picks += [pool[k] for k in dict.fromkeys(order)]
    return np.array(picks, dtype=float)


def baseline_denoisers(cfg: Config, x0: torch.Tensor, labels: torch.Tensor) -> dict:
    """The P-patch denoisers (P below the image size) and the ideal one, of the run's own
    training set (``training_data``: x0, labels), on its β schedule."""
    train, abar = x0[:, 0].numpy(), alphas_cumprod(cfg.diffusion).numpy()
    m = cfg.mechanisms
    made = {
        f"patch-{p}": AnalyticDenoiser(train, labels.numpy(), abar, p, m.bandwidth)
        for p in m.patch_sizes
        if p < cfg.data.size
    }
    made["ideal"] = AnalyticDenoiser(train, labels.numpy(), abar, None, m.bandwidth)
    return made


def _fit_inputs(cfg: Config, x0: torch.Tensor, labels: torch.Tensor) -> list[tuple]:
    """Noised training images at each ``mechanisms.fit_t``: the same images and noise for every
    checkpoint and baseline (seeded by ``mechanisms.seed``)."""
    gen = torch.Generator().manual_seed(cfg.mechanisms.seed)
    pick = torch.randint(len(x0), (cfg.mechanisms.fit_images,), generator=gen)
    abar = alphas_cumprod(cfg.diffusion)
    inputs = []
    for t in cfg.mechanisms.fit_t:
        noise = torch.randn(x0[pick].shape, generator=gen)
        x_t = add_noise(x0[pick], noise, torch.full((len(pick),), t), abar)
        inputs.append((t, x_t, labels[pick]))
    return inputs


def training_positions(cfg: Config) -> np.ndarray:
    """Where the trained 2D bumps are (m, 2), frame pixels."""
    centres, _, kinds = training_set(cfg.data, cfg.seed)
    return centres[np.isin(kinds, ("bump", "sos"))] - cfg.data.offset


def make_setup(cfg: Config) -> Setup:
    check_settings(cfg)
    training = training_positions(cfg)
    off = off_lattice_points(training, cfg.eval.off_lattice, cfg.mechanisms.seed)
    x0, labels = training_data(cfg, torch.device("cpu"))
    fit, baselines = _fit_inputs(cfg, x0, labels), baseline_denoisers(cfg, x0, labels)
    return Setup(training, off, _targets(cfg, training, off), fit, baselines)


def snapping_of(cfg: Config, result, cond: np.ndarray, training: np.ndarray) -> dict:
    """The ``Snapping`` record of images classified at off-lattice conditions."""
    one = result.n_bumps == 1
    index = snapping_index(result.centers[one], cond[one] - cfg.data.offset, training)
    index = index[np.isfinite(index)]
    n = len(result.outcome)
    share = (lambda mask: float(mask.mean())) if n else (lambda mask: float("nan"))
    return {
        "images": n,
        "one_bump": share(one),
        "correct": share(result.outcome == "correct"),
        "multiple": share(result.outcome == "multiple"),
        "median": float(np.median(index)) if len(index) else float("nan"),
        "mean": float(index.mean()) if len(index) else float("nan"),
        "se": float(index.std(ddof=1) / np.sqrt(len(index))) if len(index) > 1 else float("nan"),
        "snapped": float((index > 0.5).mean()) if len(index) else float("nan"),
    }


@torch.no_grad()
def _scored(net, cfg: Config, conditions: np.ndarray, draws: int, seed: int):
    images, cond = generate(net, cfg, conditions, draws, seed)
    return cond, classify_images(cfg, images, cond)


def _terms(eps_net: torch.Tensor, eps_base: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """Per image: Σ(ε̂_net − ε̂_base)² and Σ(ε̂_base − the batch's mean)², so that
    r² = 1 − Σ first / Σ second over any set of images (the bootstrap resamples them)."""
    base = eps_base.double().flatten(1)
    residual = ((eps_net.double().flatten(1) - base) ** 2).sum(1)
    return residual.numpy(), ((base - base.mean()) ** 2).sum(1).numpy()


def r_squared(eps_net: torch.Tensor, eps_base: torch.Tensor) -> float:
    """1 − Σ(ε̂_net − ε̂_base)² / Σ(ε̂_base − mean)²: 1 when the network is the baseline."""
    residual, spread = _terms(eps_net, eps_base)
    return float(1 - residual.sum() / spread.sum())


def best_fit(terms: dict, seed: int, reps: int = 200) -> dict:
    """The best-fitting baseline by mean r² over t (none when no r² is positive), the runner-up,
    and the margin between them with its bootstrap standard error over the fit's images (the
    same resample for every baseline and t). ``terms``: label → [(residual, spread) per t]."""

    def mean_r2(index=None) -> dict[str, float]:
        pick = (lambda a: a) if index is None else (lambda a: a[index])
        return {k: float(np.mean([1 - pick(r).sum() / pick(v).sum() for r, v in per_t]))
                for k, per_t in terms.items()}  # fmt: skip

    means = mean_r2()
    order = sorted(means, key=means.get, reverse=True)
    if len(order) < 2 or not means[order[0]] > 0:
        return {"best": None, "runner_up": None, "margin": float("nan"), "margin_se": float("nan")}
    n = len(next(iter(terms.values()))[0][0])
    rng = np.random.default_rng(seed)
    margins = []
    for _ in range(reps):
        boot = mean_r2(rng.integers(n, size=n))
        margins.append(boot[order[0]] - boot[order[1]])
    margin = means[order[0]] - means[order[1]]
    return {"best": order[0], "runner_up": order[1], "margin": margin,
            "margin_se": float(np.std(margins))}  # fmt: skip


@torch.no_grad()
def fit_of(net, setup: Setup, cache: dict | None = None) -> dict:
    """r² of ``net``'s ε̂ against each baseline's per t (``cache``: the baselines' ε̂, filled on
    the first call), their mean over t, and ``best_fit``: the fields of a ``DynamicsStep``."""
    cache = {} if cache is None else cache
    fit, terms = {}, {}
    for label, base in setup.baselines.items():
        fit[label], terms[label] = {}, []
        for t, x_t, cond in setup.fit:
            ts = torch.full((len(x_t),), t, dtype=torch.long)
            if (label, t) not in cache:
                cache[label, t] = base(x_t, ts, cond)
            terms[label].append(_terms(net(x_t, ts, cond), cache[label, t]))
            residual, spread = terms[label][-1]
            fit[label][str(t)] = float(1 - residual.sum() / spread.sum())
    mean = {label: float(np.mean(list(v.values()))) for label, v in fit.items()}
    return {"fit": fit, "fit_mean": mean, **best_fit(terms, seed=len(setup.fit))}


def checkpoint_entry(model, cfg: Config, setup: Setup, step: int, cache: dict) -> dict:
    """The ``DynamicsStep`` record of one checkpoint's network."""
    m = cfg.mechanisms
    cond, result = _scored(model, cfg, setup.off, cfg.sample.draws, m.seed)
    fitted = fit_of(model, setup, cache)
    t_cond, t_result = _scored(model, cfg, setup.targets + cfg.data.offset, m.path_draws, m.seed)
    found = position_paths({step: t_result.centers}, t_cond - cfg.data.offset, setup.targets)
    return {
        "step": step,
        "snapping": snapping_of(cfg, result, cond, setup.training),
        **fitted,
        "paths": [tuple(p) for p in found["paths"][0].tolist()],
    }


def baseline_runs(cfg: Config, setup: Setup, log) -> list[dict]:
    """Each baseline sampled with the run's sampler at the first ``mechanisms.baseline_conditions``
    evaluation conditions with the evaluation's own seeds (so image i is image i of every
    checkpoint's evaluation) and at the off-lattice conditions with the network's seeds there."""
    conditions = eval_conditions(cfg)[: cfg.mechanisms.baseline_conditions]
    runs = []
    for label, base in setup.baselines.items():
        log(f"dynamics: sampling the {label} baseline")
        _, result = _scored(base, cfg, conditions, cfg.sample.draws, cfg.sample.seed)
        cond, off = _scored(base, cfg, setup.off, cfg.sample.draws, cfg.mechanisms.seed)
        runs.append({
            "label": label,
            "patch": None if label == "ideal" else base.p,
            "fractions": {o: float((result.outcome == o).mean()) for o in OUTCOMES},
            "outcomes": result.outcome.tolist(),
            "snapping": snapping_of(cfg, off, cond, setup.training),
        })  # fmt: skip
    return runs


def rendered_control(cfg: Config, setup: Setup) -> dict:
    """Bumps rendered exactly at the off-lattice conditions, scored like the generations: the
    index must read "follows" (0) here, or the instrument could not say so of a model."""
    images = render_bumps(setup.off, cfg.data.size, cfg.data.sigmas, cfg.data.periodic)
    cond = setup.off + cfg.data.offset
    return snapping_of(cfg, classify_images(cfg, images, cond), cond, setup.training)


def _resumed(run: RunFolder, cfg: Config) -> dict | None:
    """The dynamics.json a call may continue: same settings, else None (made again)."""
    if not run.dynamics_path.is_file():
        return None
    saved = DynamicsSummary.model_validate(json.loads(run.dynamics_path.read_text()))
    return saved.model_dump(mode="python") if saved.signature == signature(cfg) else None


def _refit_older(run: RunFolder, cfg: Config, setup: Setup, summary: dict, cache, log) -> None:
    """Entries made before the fit had its margin (``best_fit``): their fit alone measured again
    (a forward pass per t; the generations are kept)."""
    older = [e for e in summary["steps"] if e.get("runner_up") is None and e.get("best")]
    for entry in older:
        model = load_checkpoint_model(run, cfg, entry["step"])
        entry.update(fit_of(model, setup, cache))
        log(f"dynamics: step {entry['step']}: fit measured again with its margin")
    if older:
        write_json(run.dynamics_path, DynamicsSummary.model_validate(summary).model_dump())


def run_dynamics(run: RunFolder, cfg: Config, log, steps: list[int] | None = None):
    """Measure every checkpoint of ``run`` (or ``steps``) not yet in its dynamics.json, writing the
    file after each; returns the summary (module docstring)."""
    setup = make_setup(cfg)
    summary = _resumed(run, cfg)
    if summary is None:
        summary = {"signature": signature(cfg), "seed": cfg.seed,
                   "keep_fraction": cfg.data.keep_fraction, "targets": setup.targets.tolist(),
                   "off_lattice": setup.off.tolist(), "steps": [],
                   "rendered": rendered_control(cfg, setup),
                   "baselines": baseline_runs(cfg, setup, log)}  # fmt: skip
        write_json(run.dynamics_path, DynamicsSummary.model_validate(summary).model_dump())
    cache: dict = {}
    _refit_older(run, cfg, setup, summary, cache, log)
    done = {s["step"] for s in summary["steps"]}
    for step in steps if steps is not None else run.checkpoint_steps():
        if step in done:
            continue
        model = load_checkpoint_model(run, cfg, step)
        entry = checkpoint_entry(model, cfg, setup, step, cache)
        summary["steps"] = sorted([*summary["steps"], entry], key=lambda s: s["step"])
        write_json(run.dynamics_path, DynamicsSummary.model_validate(summary).model_dump())
        snap = entry["snapping"]
        log(f"dynamics: step {step}: snapping median {snap['median']:.2f} over "
            f"{snap['one_bump']:.0%} one-bump images, best fit {entry['best']}")  # fmt: skip
    return DynamicsSummary.model_validate(summary)
