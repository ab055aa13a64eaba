"""Pure statistics of the `percolation` experiment: where accuracy sets in along λ, and whether
the simulated percolation threshold falls there."""

from __future__ import annotations

import math

import numpy as np

from bumpdiff.experiments.design_power import finite_or_none
from bumpdiff.experiments.percolation_onset import onset_interval, tracks_interval


def onset_bracket(fractions, accuracy, onset: float) -> tuple[float, float] | None:
    """The interval (lo, hi] of λ in which the mean accuracy first reaches ``onset``: between the
    last trained λ below it and the first at or above it ((0, λ₁] when the smallest λ already
    reaches it). None when no trained λ reaches it: the onset is not seen."""
    fractions, accuracy = np.asarray(fractions, float), np.asarray(accuracy, float)
    reached = np.flatnonzero(accuracy >= onset)
    if not len(reached):
        return None
    i = int(reached[0])
    return (0.0 if i == 0 else float(fractions[i - 1]), float(fractions[i]))


def tracks(critical: float | None, bracket: tuple[float, float] | None, top: float) -> bool | None:
    """Whether the percolation prediction matches the onset: λ_c in the onset bracket; a lattice
    that never percolates (λ_c None) with accuracy that never sets in. None when it is not
    tested: no onset seen up to the largest trained λ ``top`` and λ_c above it."""
    if critical is None:
        return bracket is None
    if bracket is None:
        return False if critical <= top else None
    return bracket[0] < critical <= bracket[1]


def threshold_verdict(hits: list[bool | None]) -> str:
    """Over the widths: "yes" when the prediction matches every width, "no" none, "partly" some;
    "undetermined" when some width was not tested (``tracks``)."""
    if any(h is None for h in hits):
        return "undetermined"
    if all(hits):
        return "yes"
    return "no" if not any(hits) else "partly"


def summarise(simulated: list[dict], trained: list[dict], onset: float, seed: int = 0) -> dict:
    """Per σ: the mean accuracy per λ, its onset bracket and, where the rows say how many images
    each seed was evaluated on, the onset's bootstrap interval (percolation_onset); per
    threshold whether λ_c falls in the interval (else the bracket); per threshold a verdict; and
    the sentences of the report."""
    widths, by_threshold, lines = [], {}, []
    for sigma in sorted({t["sigma"] for t in trained}):
        rows = sorted((t for t in trained if t["sigma"] == sigma), key=lambda t: t["fraction"])
        fractions = [t["fraction"] for t in rows]
        mean = [float(np.mean(t["overall"])) for t in rows]
        bracket = onset_bracket(fractions, mean, onset)
        sims = [s for s in simulated if s["sigma"] == sigma]
        interval = _interval(rows, fractions, onset, seed)
        hits = {s["threshold"]: tracks(s["critical"], bracket, fractions[-1]) if interval is None
                else tracks_interval(s["critical"], interval) for s in sims}  # fmt: skip
        for threshold, hit in hits.items():
            by_threshold.setdefault(threshold, []).append(hit)
        widths.append({"sigma": sigma, "fractions": fractions, "accuracy": mean,
                       "bracket": bracket, "tracks": hits, **_written(interval)})  # fmt: skip
        seen = (f"first reaches {onset:.0%} between λ = {bracket[0]:g} and {bracket[1]:g}"
                if bracket else f"does not reach {onset:.0%} at any trained λ")  # fmt: skip
        seen += _interval_clause(interval)
        predicted = ", ".join(f"{_critical(s['critical'])} (overlap > {s['threshold']:g})"
                              for s in sims)  # fmt: skip
        accs = ", ".join(f"{a:.2f}" for a in mean)
        lines.append(f"σ = {sigma:g}: accuracy ({accs} at λ = "
                     f"{', '.join(f'{f:g}' for f in fractions)}) {seen}; percolation predicts "
                     f"λ_c = {predicted}.")  # fmt: skip
    verdicts = {str(k): threshold_verdict(v) for k, v in by_threshold.items()}
    for threshold, hits in by_threshold.items():
        n = sum(bool(h) for h in hits)
        lines.append(f"Does the accuracy onset track the percolation threshold (overlap > "
                     f"{threshold:g})? **{verdicts[str(threshold)]}** ({n} of {len(hits)} "
                     "widths).")  # fmt: skip
    return {"widths": widths, "verdicts": verdicts, "sentences": lines}


def _interval(rows: list[dict], fractions, onset: float, seed: int) -> dict | None:
    """The onset's bootstrap interval, where every row gives its seeds' evaluation images."""
    if not all(r.get("evaluated") for r in rows):
        return None
    images = min(min(r["evaluated"]) for r in rows)
    return onset_interval(fractions, [r["overall"] for r in rows], images, onset, seed=seed)


def _written(interval: dict | None) -> dict:
    """The interval as the summary keeps it: infinity (never reached) as None."""
    if interval is None:
        return {}
    return {"interval": {k: finite_or_none(v) for k, v in interval.items()}}


def _interval_clause(interval: dict | None) -> str:
    if interval is None:
        return ""
    if math.isinf(interval["estimate"]):
        return f" (not reached in {interval['never']:.0%} of the bootstrap replicates)"
    hi = "beyond the trained λ" if math.isinf(interval["hi"]) else f"{interval['hi']:.2f}"
    return (f", onset λ ≈ {interval['estimate']:.2f} (95 % bootstrap interval "
            f"{interval['lo']:.2f}–{hi})")  # fmt: skip


def _critical(value: float | None) -> str:
    return "none, it never percolates" if value is None else f"{value:.2f}"
