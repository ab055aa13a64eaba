"""Pure summaries of the `torus` experiment: the geometry of per-condition means on a periodic
lattice (``bumpdiff.probe.geometry``), checkpoint by checkpoint, and the terminal verdicts."""

from __future__ import annotations

import numpy as np

from bumpdiff.config import ConfigError, TorusConfig
from bumpdiff.probe.geometry import (
    closer_torus,
    factorization_stats,
    long_lived,
    pca_spectrum,
    persistence,
)
from bumpdiff.probe.metrics import participation_ratio


def as_grid(conditions: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Rows of ``values`` arranged as (nx, ny, D) by their conditions' x and y; every lattice
    point must be present once."""
    xs, ix = np.unique(conditions[:, 0], return_inverse=True)
    ys, iy = np.unique(conditions[:, 1], return_inverse=True)
    if len(conditions) != len(xs) * len(ys):
        raise ConfigError(
            f"probe.max_conditions: the torus needs the whole lattice ({len(xs)} × {len(ys)}), "
            f"got {len(conditions)} conditions"
        )
    grid = np.empty((len(xs), len(ys), values.shape[1]))
    grid[ix.ravel(), iy.ravel()] = values
    return grid


def geometry_row(conditions: np.ndarray, means: np.ndarray, cfg: TorusConfig) -> dict:
    """Spectrum, top-k share, effective dimension and factorization statistics of the means."""
    spectrum = pca_spectrum(means, cfg.spectrum)
    stats = factorization_stats(as_grid(conditions, means), periodic=True)
    return {
        "spectrum": spectrum.tolist(),
        "top": cfg.top,
        "top_share": float(spectrum[: cfg.top].sum()),
        "effective_dimension": participation_ratio(means),
        **stats,
    }


def _verdict(conditions, means, cfg: TorusConfig) -> dict:
    grid = as_grid(conditions, means)
    stats = factorization_stats(grid, periodic=True)
    return {**closer_torus(stats, grid.shape[0], grid.shape[1], cfg.margin), "stats": stats}


def terminal(
    arrays: dict,
    cfg: TorusConfig,
    min_reliability: float,
    seed: int = 0,
    untrained=None,
    shuffled=None,
) -> dict:
    """The last checkpoint: which ideal torus the means are closer to (and the same question for
    each half of the draws, the encoder alone, the untrained network's means (``untrained``, the
    first checkpoint's arrays: what learning is measured against) and the means with their
    conditions permuted, the control that must come out "undetermined"), and the long-lived
    topological features."""
    cond, means = arrays["conditions"], arrays["means"]
    perm = np.random.default_rng(seed).permutation(len(cond))
    out = {
        "reliability": float(arrays["reliability"]),
        "model": _verdict(cond, means, cfg),
        "halves": [_verdict(cond, arrays[h], cfg)["verdict"] for h in ("half_a", "half_b")],
        "encoder": _verdict(cond, arrays["encoder"], cfg),
        "permuted": _verdict(cond, means[perm], cfg),
    }
    if untrained is not None:
        out["untrained"] = _verdict(untrained["conditions"], untrained["means"], cfg)
        out["learned_change"] = learned_change(arrays, untrained, cfg)
    if "input_means" in arrays:
        out |= input_response(arrays, untrained, cfg)
    if untrained is not None and shuffled is not None:
        out["nulls"] = nulls(untrained, shuffled)
    diagrams = persistence(means, maxdim=1)
    out["long_lived"] = long_lived(means, diagrams, cfg.min_persistence)
    out["diagrams"] = [d[np.isfinite(d[:, 1])].tolist() for d in diagrams]
    if not out["reliability"] >= min_reliability:
        out["answer"] = "undetermined"  # the means are not reproducible across draws
    elif len(set(out["halves"])) > 1:
        out["answer"] = "undetermined"  # the halves of the draws disagree
    else:
        out["answer"] = out["model"]["verdict"]
    return out


def learned_change(arrays: dict, untrained: dict, cfg: TorusConfig) -> dict:
    """What training added, which the encoder cannot supply: the trained means minus the
    untrained network's (the first checkpoint, same seed) on the same inputs, condition by
    condition, judged as the means are, with each half of the draws. A condition-driven layer is
    factorized by construction through the conditioning encoder's separate x and y directions;
    the difference removes what the untrained network already had."""
    if not np.array_equal(arrays["conditions"], untrained["conditions"]):
        raise ConfigError(
            "torus: the first checkpoint was probed on other conditions; analyse again"
        )
    change = {k: arrays[k] - untrained[k] for k in ("means", "half_a", "half_b")}
    return _judged(arrays["conditions"], change, cfg)


def _judged(positions: np.ndarray, parts: dict, cfg: TorusConfig) -> dict:
    """A verdict on ``parts["means"]`` over ``positions``, with each half's, named only when the
    halves agree."""
    out = _verdict(positions, parts["means"], cfg)
    out["halves"] = [_verdict(positions, parts[h], cfg)["verdict"] for h in ("half_a", "half_b")]
    out["answer"] = out["verdict"] if len(set(out["halves"])) == 1 else "undetermined"
    return out


def input_response(arrays: dict, untrained: dict | None, cfg: TorusConfig) -> dict:
    """The layer's response to where the *input* bump is, which the conditioning encoder cannot
    supply: its mean over every condition at each input position ν (``input_means``, halves over
    the even and the odd conditions), judged as the means are; and, with the untrained network's
    responses, what training added to it (trained minus untrained)."""
    nu = arrays["input_positions"]
    parts = {k: arrays[f"input_{k}"] for k in ("means", "half_a", "half_b")}
    out = {"input": _judged(nu, parts, cfg)}
    if untrained is not None and "input_means" in untrained:
        change = {k: parts[k] - untrained[f"input_{k}"] for k in parts}
        out["input_change"] = _judged(nu, change, cfg)
    return out


def nulls(untrained: dict, shuffled: dict) -> dict:
    """Per seed, the controls the verdicts over seeds weigh each representation against
    (records.TorusNulls): the weight-shuffled network's means and input response, the untrained
    network's input response, and the shuffled minus the untrained network's (what changing
    the weights without learning does)."""

    def stats(positions, values):
        return factorization_stats(as_grid(positions, values), periodic=True)

    cond = untrained["conditions"]
    lattice = [len(np.unique(cond[:, i])) for i in (0, 1)]
    out = {"lattice": lattice, "shuffled": stats(cond, shuffled["means"]),
           "shuffled_change": stats(cond, shuffled["means"] - untrained["means"])}  # fmt: skip
    if "input_means" in shuffled and "input_means" in untrained:
        nu, u, s = shuffled["input_positions"], untrained["input_means"], shuffled["input_means"]
        out |= {"untrained_input": stats(nu, u), "shuffled_input": stats(nu, s),
                "shuffled_input_change": stats(nu, s - u)}  # fmt: skip
    return out


def sentences(rows: list[dict], end: dict) -> list[str]:
    """One sentence per claim, computed from the numbers."""
    last = rows[-1]
    m, d = end["model"], end["model"]["distance"]
    s = m["stats"]
    h1 = end["long_lived"][1] if len(end["long_lived"]) > 1 else 0
    return [
        f"Is the terminal representation (step {last['step']}, split-half reliability "
        f"{end['reliability']:.2f}) closer to the coupled or the factorized torus? "
        f"**{end['answer']}**: x-on-y {s['x_on_y']:.2f}, x-on-x {s['x_on_x']:.2f}, y-on-y "
        f"{s['y_on_y']:.2f}; distance to the factorized torus {d['factorized']:.2f}, to the "
        f"coupled {d['coupled']:.2f}; halves of the draws: {', '.join(end['halves'])}; the "
        f"encoder alone: {end['encoder']['verdict']}; the untrained network: "
        f"{end['untrained']['verdict'] if 'untrained' in end else 'n/a'}; conditions permuted "
        f"(control): {end['permuted']['verdict']}.{_change_clause(end)}{_input_clause(end)}",
        f"Is it a torus topologically? **{'yes' if h1 == 2 else 'no'}**: {h1} long-lived H₁ "
        "feature(s) (a torus has 2).",
        f"Effective dimension at the end: {last['effective_dimension']:.2f}; the top "
        f"{last['top']} components explain {last['top_share']:.0%} of the variance; accuracy "
        f"{last['accuracy']:.0%}.",
    ]


def _change_clause(end: dict) -> str:
    """What training added beneath the encoder, where the untrained network was probed."""
    if "learned_change" not in end:
        return ""
    c = end["learned_change"]
    st, d = c["stats"], c["distance"]
    return (
        f" What training added (trained minus untrained means, which the encoder cannot "
        f"supply): **{c['answer']}** (x-on-y {st['x_on_y']:.2f}, x-on-x {st['x_on_x']:.2f}, "
        f"y-on-y {st['y_on_y']:.2f}; distance to the factorized torus {d['factorized']:.2f}, "
        f"to the coupled {d['coupled']:.2f}; halves: {', '.join(c['halves'])})."
    )


def _input_clause(end: dict) -> str:
    """The response to the input bump's position, where it was captured."""
    if "input" not in end:
        return ""
    parts = [("The layer's response to where the input bump is (its mean over the conditions)",
              end["input"])]  # fmt: skip
    if "input_change" in end:
        parts.append(("what training added to that response", end["input_change"]))
    said = []
    for name, c in parts:
        st, d = c["stats"], c["distance"]
        said.append(
            f"{name}: **{c['answer']}** (x-on-y {st['x_on_y']:.2f}, x-on-x {st['x_on_x']:.2f}, "
            f"y-on-y {st['y_on_y']:.2f}; distance to the factorized torus "
            f"{d['factorized']:.2f}, to the coupled {d['coupled']:.2f})"
        )
    return " " + "; ".join(said) + "."
