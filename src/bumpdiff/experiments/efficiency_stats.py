"""Pure statistics of the `efficiency` experiment: the dataset size at which accuracy reaches a
target, and its power law in the canvas side N."""

from __future__ import annotations

import numpy as np

from bumpdiff.experiments.resample import bootstrap_curves

# canvases with an interpolated size an exponent needs: two points always lie on a power law, a
# third is the first that can depart from it (the follow-up's claim is about the exponent's value)
MIN_CANVASES = 3


def size_to_reach(sizes, accuracy, target: float) -> dict:
    """The training-set size at which the mean accuracy first reaches ``target``, interpolated
    linearly in log size between the two trained sizes around the crossing. ``bound``: "exact"
    (interpolated), "at_most" (already reached at the smallest size: the value is that size) or
    "none" (never reached: value None)."""
    sizes, accuracy = np.asarray(sizes, float), np.asarray(accuracy, float)
    order = np.argsort(sizes)
    sizes, accuracy = sizes[order], accuracy[order]
    reached = np.flatnonzero(accuracy >= target)
    if not len(reached):
        return {"value": None, "bound": "none"}
    i = int(reached[0])
    if i == 0:
        return {"value": float(sizes[0]), "bound": "at_most"}
    a0, a1 = accuracy[i - 1], accuracy[i]
    frac = (target - a0) / (a1 - a0)
    log_n = np.log(sizes[i - 1]) + frac * (np.log(sizes[i]) - np.log(sizes[i - 1]))
    return {"value": float(np.exp(log_n)), "bound": "exact"}


def power_law(canvas, needed) -> dict | None:
    """Least-squares fit log n = log c + b log N over the canvases with a value; the exponent b,
    its standard error (None with two points) and the points used. None with fewer than two."""
    pts = [(n, v) for n, v in zip(canvas, needed) if v is not None]
    if len(pts) < 2:
        return None
    x, y = np.log([p[0] for p in pts]), np.log([p[1] for p in pts])
    b, a = np.polyfit(x, y, 1)
    se = None
    if len(pts) > 2:
        resid = y - (a + b * x)
        se = float(np.sqrt(resid @ resid / (len(pts) - 2) / ((x - x.mean()) ** 2).sum()))
    return {"exponent": float(b), "se": se, "prefactor": float(np.exp(a)),
            "points": [list(p) for p in pts]}  # fmt: skip


def needed_draws(sizes, per_seed, images: int, target: float, repeats: int = 2000,
                 seed: int = 0) -> np.ndarray:  # fmt: skip
    """Bootstrap replicates of the size needed to reach ``target``: per trained size its seeds
    (independent models) resampled with replacement, each drawn seed's accuracy redrawn as
    Binomial(images, accuracy) / images (its evaluation images), then ``size_to_reach`` on the
    replicate's mean curve. A replicate already above the target at the smallest size, or never
    reaching it, is NaN: it gives no interpolated size."""
    curves = bootstrap_curves(per_seed, images, repeats, np.random.default_rng(seed))
    out = np.full(repeats, np.nan)
    for r, curve in enumerate(curves):
        found = size_to_reach(sizes, curve, target)
        if found["bound"] == "exact":
            out[r] = found["value"]
    return out


def exponent_with_se(canvas, draws: list[np.ndarray]) -> dict | None:
    """The power-law exponent of the needed size in N from the replicates of each canvas
    (``needed_draws``): the fit to the replicates' medians, and its standard error as the
    spread of the fits to paired replicates (replicate r of every canvas). Canvases where most
    replicates have no interpolated size (the kept fractions never bracket the target there)
    are left out, and an exponent needs ``MIN_CANVASES`` of them (``canvases``: those kept);
    so are the replicates that lack a size at a kept canvas (``used``: the share kept). None
    with fewer than two canvases trained."""
    if len(canvas) < 2:
        return None
    stack = np.vstack(draws)  # canvases × replicates
    keep = np.isfinite(stack).mean(axis=1) >= 0.5
    kept = [int(n) for n, k in zip(canvas, keep) if k]
    ok = np.isfinite(stack[keep]).all(axis=0) if kept else np.zeros(stack.shape[1], bool)
    if len(kept) < MIN_CANVASES or ok.mean() < 0.5:  # no exponent to speak of
        return {"exponent": None, "se": None, "used": float(ok.mean()), "canvases": kept}
    x, stack = np.log(np.asarray(kept, float)), stack[keep][:, ok]
    fits = np.polyfit(x, np.log(stack), 1)[0]
    centre = np.polyfit(x, np.log(np.median(stack, axis=1)), 1)[0]
    return {"exponent": float(centre), "se": float(fits.std(ddof=1)), "used": float(ok.mean()),
            "canvases": kept}  # fmt: skip


def compare_exponents(bumps: dict, stripes: dict, z: float = 2.0) -> dict:
    """Whether the two exponents differ (by ``z`` standard errors of their difference) and how
    many standard errors each lies from 1 (linear) and 2 (quadratic); "undetermined" when an
    exponent is missing. ``separable``: whether 1 and 2 are ``z``·2 standard errors apart for
    both, i.e. whether the design could tell linear from quadratic at all.
    ``unit_difference_in_se``: how many standard errors of the difference lie between the one
    measured and the nearer of ±1 (one exponent linear, the other quadratic): the power of a
    "do not differ" to rule such a difference out."""
    if not (bumps and stripes and bumps.get("se") and stripes.get("se")):
        return {"answer": "undetermined", "difference": None, "se": None}
    diff = stripes["exponent"] - bumps["exponent"]
    se = float(np.hypot(bumps["se"], stripes["se"]))
    answer = "differ" if abs(diff) > z * se else "do not differ"
    from_ref = {name: {str(ref): abs(fit["exponent"] - ref) / fit["se"] for ref in (1, 2)}
                for name, fit in (("bumps", bumps), ("bumps+stripes", stripes))}  # fmt: skip
    separable = all(1 / fit["se"] >= 2 * z for fit in (bumps, stripes))
    unit = min(abs(diff - 1), abs(diff + 1)) / se
    return {"answer": answer, "difference": float(diff), "se": se, "from_reference_in_se": from_ref,
            "separable": separable, "unit_difference_in_se": float(unit)}  # fmt: skip


def exponent_power(pilot: list[dict], sizes: dict[str, list[int]], seeds: int, target: float,
                   evaluated: dict[int, int], z: float = 3.0) -> dict[str, dict]:  # fmt: skip
    """Before an efficiency run: per dataset, the standard error its exponent would have over its
    canvases ``sizes[dataset]`` with ``seeds`` seeds, from a finished pilot's member rows
    (efficiency.json ``members``): the bootstrap spread of log(images needed) at each pilot
    canvas with a crossing (``needed_draws``; ``evaluated``: images per seed at each canvas
    where a row lacks them), pooled, scaled from the pilot's seeds to ``seeds``, over the spread
    of log N. A design canvas the pilot trained without a crossing (every kept fraction already
    above the target, or none reaching it) gives no size and is left out (``no_crossing``);
    canvases the pilot lacks are assumed to cross. Whether that tells a linear exponent from a
    quadratic one (1 apart) by ``z`` standard errors; None where no pilot canvas crossed or
    fewer than ``MIN_CANVASES`` would. A pilot of one seed (``pilot_seeds``) shows evaluation
    noise only, not the spread between seeds: its prediction is a lower bound."""
    out = {}
    for dataset in sorted({r["dataset"] for r in pilot}):
        spreads, pilot_seeds, no_crossing = [], [], []
        for n in sorted({r["size"] for r in pilot if r["dataset"] == dataset}):
            sel = sorted((r for r in pilot if r["dataset"] == dataset and r["size"] == n),
                         key=lambda r: r["fraction"])  # fmt: skip
            images = min(min(r.get("evaluated") or [evaluated[n]]) for r in sel)
            draws = needed_draws([np.mean(r["images"]) for r in sel],
                                 [r["accuracy"] for r in sel], images, target, 1000)  # fmt: skip
            if np.isfinite(draws).mean() >= 0.5:
                spreads.append(float(np.log(draws[np.isfinite(draws)]).std(ddof=1)))
                pilot_seeds.append(min(len(r["accuracy"]) for r in sel))
            else:
                no_crossing.append(n)
        canvases = [n for n in sizes.get(dataset, []) if n not in no_crossing]
        row = {"canvases": canvases, "no_crossing": [n for n in sizes.get(dataset, [])
                                                     if n in no_crossing]}  # fmt: skip
        if not spreads or len(canvases) < MIN_CANVASES:
            out[dataset] = {**row, "log_needed_sd": None, "exponent_se": None,
                            "tells_1_from_2": None}  # fmt: skip
            continue
        x = np.log(np.asarray(canvases, float))
        sd = float(np.sqrt(np.mean(np.square(spreads))) * np.sqrt(min(pilot_seeds) / seeds))
        se = sd / np.sqrt(float(((x - x.mean()) ** 2).sum()))
        out[dataset] = {**row, "log_needed_sd": sd, "exponent_se": float(se),
                        "tells_1_from_2": bool(1.0 >= z * se),
                        "pilot_seeds": min(pilot_seeds)}  # fmt: skip
    return out
