"""Where accuracy sets in along the kept fraction λ, with a bootstrap interval, and whether a
design can place it finely enough to tell a percolation threshold from another (pure).

The onset is the λ at which the mean accuracy over seeds first reaches ``onset``, interpolated
linearly between the trained λ and starting from (0, 0): with no training image no generated
bump can be right. Its interval resamples what varies between repeats of the experiment: the
seeds trained at each λ (independent models) and, within each drawn seed, its evaluation images
as Binomial(images, accuracy) / images. The evaluation images span conditions of different
difficulty, and a sum of Bernoulli draws with unequal probabilities varies less than a binomial
of their mean, so the interval is, if anything, too wide.
"""

from __future__ import annotations

import math

import numpy as np

from bumpdiff.experiments.design_power import pooled_sd
from bumpdiff.experiments.resample import bootstrap_curves


def _crossing(fractions, accuracy, onset: float) -> tuple[float, float]:
    """Where the curve, from (0, 0), first reaches ``onset``: the λ interpolated on that segment
    and the segment's slope (accuracy per unit λ); (infinity, NaN) when it never does."""
    f = np.concatenate([[0.0], np.asarray(fractions, float)])
    a = np.concatenate([[0.0], np.asarray(accuracy, float)])
    reached = np.flatnonzero(a >= onset)
    if not len(reached):
        return math.inf, math.nan
    i = int(reached[0])  # ≥ 1: the curve starts at 0 < onset
    slope = (a[i] - a[i - 1]) / (f[i] - f[i - 1])
    return float(f[i - 1] + (onset - a[i - 1]) / slope), float(slope)


def interpolated_onset(fractions, accuracy, onset: float) -> float:
    """The λ at which ``accuracy`` (over increasing ``fractions``) first reaches ``onset``;
    infinity when it never does."""
    return _crossing(fractions, accuracy, onset)[0]


def onset_interval(fractions, per_seed, images: int, onset: float, repeats: int = 2000,
                   seed: int = 0, level: float = 0.95) -> dict:  # fmt: skip
    """The onset of the mean curve and its bootstrap interval (module docstring). ``per_seed``:
    per λ, the accuracies of its seeds; ``images``: evaluation images per seed. ``hi`` is
    infinity when more than (1 − level)/2 of the replicates never reach the onset (and ``lo`` at
    most the largest trained λ: such an onset lies beyond it); ``never`` is that share."""
    estimate = interpolated_onset(fractions, [np.mean(a) for a in per_seed], onset)
    curves = bootstrap_curves(per_seed, images, repeats, np.random.default_rng(seed))
    onsets = np.array([interpolated_onset(fractions, c, onset) for c in curves])
    tail = (1 - level) / 2
    lo, hi = np.quantile(onsets, [tail, 1 - tail], method="inverted_cdf")
    lo = min(float(lo), float(np.max(fractions)))  # never reached: beyond the largest trained λ
    return {"estimate": estimate, "lo": lo, "hi": float(hi), "level": level,
            "never": float(np.isinf(onsets).mean()), "repeats": repeats}  # fmt: skip


def tracks_interval(critical: float | None, interval: dict) -> bool | None:
    """Whether the percolation threshold ``critical`` lies in the onset's interval: True inside,
    False outside; None (not tested) when the interval is open above (the onset may lie beyond
    the trained λ) and λ_c above its lower end. A lattice that never percolates (λ_c None)
    tracks an onset that is never seen."""
    lo, hi = interval["lo"], interval["hi"]
    if critical is None:
        return math.isinf(interval["estimate"])
    if math.isinf(hi) and critical >= lo:
        return None
    return lo <= critical <= hi


def onset_se(slope: float, seed_sd: float, accuracy: float, images: int, seeds: int) -> float:
    """The standard error of the onset a design would measure: the accuracy's standard error
    at the onset (seed-to-seed spread and the images' binomial noise, over ``seeds`` seeds per
    λ) turned into λ through the accuracy curve's ``slope`` there (accuracy per unit λ)."""
    var = seed_sd**2 + accuracy * (1 - accuracy) / images
    return math.sqrt(var / seeds) / abs(slope) if slope else math.inf


def can_tell_thresholds(criticals: list[float | None], se: float, z: float = 3.0) -> bool:
    """Whether an onset measured with standard error ``se`` can tell the thresholds' λ_c apart:
    every pair of them (each a possible answer) at least ``z`` standard errors apart."""
    values = sorted(c for c in criticals if c is not None)
    gaps = np.diff(values)
    return bool(len(values) > 1 and (gaps >= z * se).all())


def design_power(pilot: dict, fractions: list[float], seeds: int, images: int, onset: float,
                 z: float = 3.0) -> list[dict]:  # fmt: skip
    """Before a percolation run: per width of a finished ``pilot`` (percolation.json), the onset
    standard error a design with ``seeds`` seeds of ``images`` evaluation images per λ would
    reach, from the pilot's accuracy slope where its mean curve crosses ``onset`` and its
    seed-to-seed spread; whether that tells the thresholds' λ_c apart; per threshold, how many
    such standard errors its λ_c lies from the pilot's onset; and whether the design's λ grid
    has a point on each side of every λ_c (else the onset is bracketed too coarsely)."""
    rows = []
    for width in pilot["result"]["widths"]:
        sigma, lam, acc = width["sigma"], width["fractions"], width["accuracy"]
        seed_sd = pooled_sd([t["overall"] for t in pilot["trained"] if t["sigma"] == sigma])
        at, slope = _crossing(lam, acc, onset)
        se = onset_se(slope, seed_sd, onset, images, seeds)
        sims = [s for s in pilot["simulation"] if s["sigma"] == sigma]
        criticals = {str(s["threshold"]): s["critical"] for s in sims}
        rows.append({
            "sigma": sigma, "pilot_onset": at, "slope": slope, "seed_sd": seed_sd,
            "onset_se": se, "criticals": criticals,
            "tells_thresholds_apart": can_tell_thresholds(list(criticals.values()), se, z),
            "critical_from_onset_in_se": {k: None if c is None or math.isinf(at) else
                                          abs(c - at) / se for k, c in criticals.items()},
            "grid_brackets_each_critical": all(c is None or (min(fractions) < c < max(fractions))
                                               for c in criticals.values()),
        })  # fmt: skip
    return rows
