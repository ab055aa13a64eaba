"""Statistics of the sampler study (experiments/samplers.py); pure functions of its rows.

A candidate *passes* when its accuracy on the trained checkpoint is within ``accuracy_tolerance``
of DDPM-T's and every outcome fraction on the earlier checkpoints within ``fraction_tolerance``
(the sampler rule, on the point estimates). It stands in for the papers' DDPM with T steps only
when it passes and the data show it: every difference inside its tolerance by ``z`` standard
errors (evidence "equivalent"). A candidate that passes on its point estimates but whose
differences the images cannot pin down ("unresolved") is not chosen: the study was too small to
decide it. Each candidate gets the standard error of its worst difference and an evidence word.
"""

from __future__ import annotations

import statistics

import numpy as np

from bumpdiff.config import ConfigError
from bumpdiff.diffusion.sampling import candidate_key, name_of
from bumpdiff.scoring.outcomes import OUTCOMES
from bumpdiff.store.records import SamplerChoice, SamplerRow, SamplerStudy, SamplerVerdict


def diff_and_se(mine: SamplerRow, ref: SamplerRow, outcome: str) -> tuple[float, float]:
    """Difference of one outcome fraction (candidate − reference) and its standard error: paired
    over images when both rows carry per-image outcomes for the same images, else independent.

    Paired (McNemar): with u images that have the outcome only under the candidate and d only
    under the reference, out of n, SE = sqrt(u + d - (u - d)² / n) / n; one pseudo-discordant
    pair keeps the error from reading 0 when a few images happen to agree.
    """
    diff = mine.fractions[outcome] - ref.fractions[outcome]
    a, b = mine.outcome_codes, ref.outcome_codes
    if a and b and len(a) == len(b):
        k = str(OUTCOMES.index(outcome))
        mine_k = np.array([c == k for c in a])
        ref_k = np.array([c == k for c in b])
        n, up, down = len(a), int((mine_k & ~ref_k).sum()), int((~mine_k & ref_k).sum())
        se = float(np.sqrt(max(up + down + 1 - (up - down) ** 2 / n, 0.0)) / n)
    else:
        p, q = mine.fractions[outcome], ref.fractions[outcome]
        se = float(np.sqrt(p * (1 - p) / mine.images + q * (1 - q) / ref.images))
    return float(diff), se


def _checks(mine: dict[str, SamplerRow], ref: dict[str, SamplerRow], acc_tol, frac_tol):
    """(|diff|, se, tolerance, checkpoint, what) for every comparison the rule makes."""
    checks = []
    for ckpt, r in mine.items():
        if ckpt == "final":
            d, se = diff_and_se(r, ref[ckpt], "correct")
            checks.append((abs(d), se, acc_tol, ckpt, "accuracy"))
        else:
            for o in OUTCOMES:
                d, se = diff_and_se(r, ref[ckpt], o)
                checks.append((abs(d), se, frac_tol, ckpt, o))
    return checks


def _evidence(checks, z: float) -> str:
    if all(d + z * se < tol for d, se, tol, _, _ in checks):
        return "equivalent"
    if any(d - z * se > tol for d, se, tol, _, _ in checks):
        return "different"
    return "unresolved"


def choose_sampler(
    rows: list[SamplerRow],
    acc_tol: float = 0.01,
    frac_tol: float = 0.03,
    z: float = 1.96,
    clip: bool = True,
) -> SamplerChoice:
    """The cheapest candidate that passes the rule and is shown equivalent (module docstring),
    and every candidate's verdict. Evidence: "reference" for DDPM-T itself, "equivalent" when
    every difference is within its tolerance by more than ``z`` standard errors, "different" when
    some difference exceeds its tolerance by more than ``z`` standard errors, else "unresolved".
    A candidate without a row on the trained checkpoint does not pass. The reference is DDPM-T
    with the run's clipping (``clip``)."""
    t = max(r.steps for r in rows if r.sampler == "ddpm")
    reference = ("ddpm", t, "fp32", "own", clip)
    ref = {r.checkpoint: r for r in rows if candidate_key(r) == reference}
    if not ref:
        raise ConfigError(
            f"samplers: the study has no {name_of(*reference)} rows, the reference with this "
            f"run's clipping (sample.clip={str(clip).lower()}); run it with that clipping"
        )
    verdicts = []
    for cand in dict.fromkeys(candidate_key(r) for r in rows):
        mine = {r.checkpoint: r for r in rows if candidate_key(r) == cand}
        checks = _checks(mine, ref, acc_tol, frac_tol)
        fracs = [c for c in checks if c[3] != "final"]
        worst = max(fracs, default=(0.0, 0.0, frac_tol, None, None))
        final = next((c for c in checks if c[3] == "final"), None)
        verdicts.append(
            SamplerVerdict(
                sampler=cand[0],
                steps=cand[1],
                precision=cand[2],
                noise=cand[3],
                clip=cand[4],
                passes="final" in mine and all(d <= tol for d, _, tol, _, _ in checks),
                evidence="reference" if cand == reference else _evidence(checks, z),
                final_accuracy_diff=(
                    mine["final"].accuracy - ref["final"].accuracy if final else None
                ),
                final_accuracy_se=final[1] if final else None,
                worst_fraction_diff=worst[0],
                worst_fraction_se=worst[1],
                worst_fraction_at=f"{worst[3]}:{worst[4]}" if worst[3] else None,
            )
        )
    shown = ("reference", "equivalent")
    passing = sorted(
        (v for v in verdicts if v.passes and v.evidence in shown), key=lambda v: v.steps
    )
    return SamplerChoice(
        chosen=passing[0] if passing else None,
        candidates=sorted(verdicts, key=lambda v: (v.steps, *candidate_key(v))),
        accuracy_tolerance=acc_tol,
        fraction_tolerance=frac_tol,
        z=z,
    )


def pool_studies(studies: list[tuple[SamplerStudy, int]]) -> SamplerStudy:
    """One study from several of the same run on disjoint images, each given with its
    ``samplers.seed`` (image r of a study is seeded seed + r, so a study of n images uses seeds
    seed … seed + n - 1): the rows of every (checkpoint, candidate) measured in all of them,
    their images added, fractions and costs weighted by images and per-image outcomes joined in
    study order (so pairs stay pairs). Studies of other runs or checkpoints, or whose seeds
    overlap, are refused: overlapping images would count twice and shrink the errors falsely."""
    first = studies[0][0]
    for study, _ in studies[1:]:
        if (study.run, study.checkpoints) != (first.run, first.checkpoints):
            raise ConfigError(
                f"pool: studies must share the run and checkpoints, got {study.run} "
                f"{study.checkpoints} and {first.run} {first.checkpoints}"
            )
    spans = sorted((seed, seed + max(r.images for r in st.rows)) for st, seed in studies)
    for (lo, hi), (nxt, _) in zip(spans, spans[1:], strict=False):
        if nxt < hi:
            raise ConfigError(f"pool: image seeds overlap ({lo}…{hi - 1} and from {nxt})")
    keyed = [{(r.checkpoint, *candidate_key(r)): r for r in st.rows} for st, _ in studies]
    common = [k for k in keyed[0] if all(k in other for other in keyed[1:])]
    return SamplerStudy(
        run=first.run,
        checkpoints=first.checkpoints,
        rows=[_pooled([t[k] for t in keyed]) for k in common],
    )


def _pooled(rows: list[SamplerRow]) -> SamplerRow:
    """One row from the same (checkpoint, candidate) measured on disjoint images."""
    n = sum(r.images for r in rows)

    def weighted(values: list[float]) -> float:
        return sum(v * r.images for v, r in zip(values, rows, strict=True)) / n

    coded = all(len(r.outcome_codes) == r.images for r in rows)
    fractions = {o: weighted([r.fractions[o] for r in rows]) for o in rows[0].fractions}
    return rows[0].model_copy(
        update={
            "images": n,
            "seconds_per_image": weighted([r.seconds_per_image for r in rows]),
            "accuracy": weighted([r.accuracy for r in rows]),
            "fractions": fractions,
            "outcome_codes": "".join(r.outcome_codes for r in rows) if coded else "",
        }
    )


def choice_sentence(choice: SamplerChoice) -> str:
    """One line naming the sampler the rule chooses and the rule itself. A candidate judged on
    DDPM-T's Brownian path is named as the sampler it is (its images have the distribution of the
    sampler with its own noise: diffusion/brownian.py), with how it was judged."""
    chosen = choice.chosen
    if chosen is None:
        name = "none (no sampler has rows on the trained checkpoint)"
    else:
        name = name_of(chosen.sampler, chosen.steps, chosen.precision, "own", chosen.clip)
        if chosen.noise == "brownian":
            name += " (judged with its noise taken from DDPM-T's Brownian path)"
    return (
        f"Chosen by the rule: {name} (accuracy within {100 * choice.accuracy_tolerance:g} "
        f"point, fractions within {100 * choice.fraction_tolerance:g} points; evidence at "
        f"{choice.z:g} SE)."
    )


def sampler_table(rows: list[SamplerRow]) -> str:
    """Markdown table of a study: cost, accuracy on the trained checkpoint, worst outcome-fraction
    difference from DDPM-T (± its standard error) and the rule's verdict. The choice is recomputed
    from the rows, so older files (without per-image outcomes) read the same way as new ones."""
    choice = choose_sampler(rows)
    by_key = {(*candidate_key(r), r.checkpoint): r for r in rows}
    n_final = next((r.images for r in rows if r.checkpoint == "final"), 0)
    phases = sorted({r.checkpoint for r in rows} - {"final"})
    n_phase = sorted({r.images for r in rows if r.checkpoint != "final"})
    lines = [
        f"| sampler | NFE | s / image (median) | accuracy, trained ({n_final} images) "
        f"| worst fraction diff. ± SE, phases {'/'.join(phases)} ({'/'.join(map(str, n_phase))} "
        "images) | rule | evidence |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in sorted(choice.candidates, key=lambda c: (-c.steps, *candidate_key(c))):
        key = candidate_key(c)
        final = by_key.get((*key, "final"))  # absent if a study was cut short
        accuracy = f"{100 * final.accuracy:.1f} %" if final else "not measured"
        cost = statistics.median(r.seconds_per_image for k, r in by_key.items() if k[:5] == key)
        reference = c.evidence == "reference"
        worst = (
            "0"
            if reference
            else f"{100 * c.worst_fraction_diff:.1f} ± {100 * c.worst_fraction_se:.1f} pts "
            f"({c.worst_fraction_at})"
        )
        rule = "reference" if reference else ("passes" if c.passes else "fails")
        lines.append(
            f"| {name_of(*key)} | {c.steps} | {cost:.3g} | {accuracy} | {worst} | {rule} "
            f"| {c.evidence} |"
        )
    return "\n".join([*lines, "", choice_sentence(choice)])
