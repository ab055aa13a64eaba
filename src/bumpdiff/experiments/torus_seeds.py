"""The torus verdicts over seeds, beyond the controls (pure): each run's statistics of one
representation against the same statistics of its nulls, seed by seed.

A representation driven by the condition is factorized by construction (the conditioning
encoder gives x and y separate directions), and an untrained network's layer already carries
some of the geometry, so a representation counts as a torus of one kind only where the trained
network is nearer that ideal torus than each null on the same seed (the untrained network, a
weight-shuffled copy of the trained one, and for the learned change the change the shuffled copy
makes), by ``z`` standard errors of the paired difference over seeds.

The paper's sharper claim, "not aligned for different values of the same feature", is read on
x-on-x and y-on-y: a Clifford torus (and the coupled one, along its big circle) has them at 1,
every x step the same direction whatever y is. "Not aligned" holds when both are below
``aligned`` (half-way) by ``z`` standard errors, "aligned" when one is above it by as many.
"""

from __future__ import annotations

import numpy as np

from bumpdiff.probe.geometry import STATISTICS, closer_torus


def _mean_se(values) -> tuple[float, float]:
    v = np.asarray(values, float)
    se = float(v.std(ddof=1) / np.sqrt(len(v))) if len(v) > 1 else float("inf")
    return float(v.mean()), se


def _distance(stats: dict, ideal: dict) -> float:
    return sum(abs(stats[s] - ideal[s]) for s in STATISTICS)


def beyond_controls(trained: list[dict], nulls: dict[str, list[dict]], nx: int, ny: int,
                    margin: float = 0.5, z: float = 2.0) -> dict:  # fmt: skip
    """``trained``: per seed the representation's statistics (x_on_y, x_on_x, y_on_y);
    ``nulls``: per control the same seeds' statistics. The ideal torus the mean statistics are
    closer to (``closer_torus``), kept only where, for every control, the trained distance to
    it is smaller than the control's by ``z`` standard errors (paired over seeds); with the
    power: the two ideals' separation in standard errors of the trained distance."""
    mean = {s: float(np.mean([t[s] for t in trained])) for s in STATISTICS}
    named = closer_torus(mean, nx, ny, margin)
    ideals = named["ideal"]
    spread = {k: _mean_se([_distance(t, ideal) for t in trained])[1] for k, ideal in ideals.items()}
    separation = _distance(ideals["factorized"], ideals["coupled"])
    out = {"seeds": len(trained), "mean": mean, "closer": named["verdict"],
           "distance": named["distance"], "controls": {}, "ideals_apart_in_se": {
               k: separation / se if se > 0 else None for k, se in spread.items()}}  # fmt: skip
    target = named["verdict"]
    ideal = ideals[target if target != "undetermined" else "factorized"]  # reported either way
    for name, stats in nulls.items():
        gap, se = _mean_se([_distance(n, ideal) - _distance(t, ideal)
                            for t, n in zip(trained, stats)])  # fmt: skip
        out["controls"][name] = {"closer_by": gap, "se": se, "beyond": bool(gap > z * se)}
    beyond = all(c["beyond"] for c in out["controls"].values())
    out["answer"] = target if target != "undetermined" and beyond else "undetermined"
    return out


def alignment(trained: list[dict], nulls: dict[str, list[dict]], aligned: float = 0.5,
              z: float = 2.0) -> dict:  # fmt: skip
    """The "not aligned" claim on x-on-x and y-on-y over seeds (module docstring), with each
    control's mean values beside (a control as low says the claim is not about learning)."""
    stats = {s: _mean_se([t[s] for t in trained]) for s in ("x_on_x", "y_on_y")}
    if all(m + z * se < aligned for m, se in stats.values()):
        answer = "not aligned"
    elif any(m - z * se > aligned for m, se in stats.values()):
        answer = "aligned"
    else:
        answer = "undetermined"
    controls = {name: {s: float(np.mean([n[s] for n in v])) for s in stats}
                for name, v in nulls.items()}  # fmt: skip
    return {
        "answer": answer,
        "threshold": aligned,
        **{s: {"mean": m, "se": se} for s, (m, se) in stats.items()},
        "controls": controls,
        "learned": _against_controls(trained, nulls, z),
    }


def _against_controls(trained: list[dict], nulls: dict[str, list[dict]], z: float) -> str:
    """Whether the alignment (mean of x-on-x and y-on-y) is lower or higher than every
    control's, seed by seed, by ``z`` standard errors: only then is it training's."""

    def level(stats: dict) -> float:
        return (stats["x_on_x"] + stats["y_on_y"]) / 2

    signs = set()
    for stats in nulls.values():
        gap, se = _mean_se([level(t) - level(n) for t, n in zip(trained, stats)])
        signs.add(-1 if gap + z * se < 0 else 1 if gap - z * se > 0 else 0)
    if signs == {-1}:
        return "lower than every control"
    return "higher than every control" if signs == {1} else "not beyond its controls"
