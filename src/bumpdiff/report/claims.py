"""The claims ledger: one row per claim of the two papers, with what the paper says, what
bumpdiff measured, its verdict and the committed file it comes from (``bumpdiff tables claims
results``; README's ledger is this table, and a test keeps the two equal).

The paper's words are ours to summarise and live here; everything measured is read from the
committed files under ``results/``: the verdict is the file's own answer (its bold words, or its
answer field), the measurement its first sentence, shortened.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

MAX_MEASURED = 230  # characters of the measurement shown in a cell


def _bold(text: str) -> list[str]:
    return re.findall(r"\*\*(.+?)\*\*", text)


def _short(text: str) -> str:
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", text).replace("|", "/")
    return text if len(text) <= MAX_MEASURED else text[: MAX_MEASURED - 1].rstrip() + "…"


def _phases(preset: str):
    """The reader of a phases sweep's verdicts, its seeds named as of ``preset``."""

    def read(d: list[dict]) -> tuple[str, str]:
        v = next(v for v in d if v["group"] in ("base", "quick"))
        n, agrees = v["seeds"], v["paper_agrees"]
        measured = (f"{n} seeds of the {preset} preset: behaviour multiple → mislocated → "
                    f"correct in {v['behaviour_in_order']}/{n}; the layer's phases matched it "
                    f"in {agrees}/{n}")  # fmt: skip
        layer = "yes" if agrees == n else "no" if agrees <= n / 2 else "partly"
        behaviour = "yes" if v["behaviour_in_order"] == n else "partly"
        return measured, f"behaviour: {behaviour}; layer: {layer}"

    return read


def _trajectory(d: list[dict]) -> tuple[str, str]:
    found = [v["trajectory"] for v in d if v.get("trajectory")]
    if not found:
        return "not measured in this file", "n/a"
    t = found[0]
    c, n = t["counts"], t["with_mislocated_stage"]
    measured = (f"read along each generation in {n} seeds' mislocated stage: ordered by the "
                f"generated place beyond every control in {c['learned']}/{n}, by the condition "
                f"in {c['condition']}/{n}, by nothing beyond them in {c['leak']}/{n}, "
                f"undetermined in {c['undetermined']}/{n}")  # fmt: skip
    readings = {"condition": "no: ordered by the condition"}  # the others say themselves
    return measured, readings.get(t["answer"], t["answer"])


def _answers(names: list[str] | None = None, exclude: tuple[str, ...] = (), label: str = ""):
    """The file's answers (all, ``names`` or all but ``exclude``) as the verdict, labelled
    ``label`` + key; the measurement: the first sentence naming one of them."""

    def read(d: dict) -> tuple[str, str]:
        answers = {k: v for k, v in d["answers"].items() if k not in exclude}
        picked = {k: answers[k] for k in (names or answers)}
        verdict = "; ".join(f"{label}{k}: {v}" for k, v in picked.items())
        words = [set(re.findall(r"[\w-]+", s.lower())) for s in d["sentences"]]
        chosen = [s for s, w in zip(d["sentences"], words) if w & set(picked)]
        return _short((chosen or d["sentences"])[0]), verdict

    return read


def _coupling(d: dict) -> tuple[str, str]:
    """Each imbalanced lattice's answer, labelled by its spacings."""
    answers = _bold(d["verdict"])
    labels = [f"dx = {v['dx']:g}, dy = {v['dy']:g}" for v in d["variants"]]
    return _short(d["verdict"].split(". ")[0]), "; ".join(
        f"{lab}: {a}" for lab, a in zip(labels, answers))  # fmt: skip


def _coupling_pooled(d: list[dict]) -> tuple[str, str]:
    """A decisive coupling sweep (coupling-verdicts.json): per dataset its verdict pooled over
    the seeds; the measurement: the first dataset's pooled sentence."""
    verdict = "; ".join(f"dx = {v['dx']:g}, dy = {v['dy']:g}: {v['pooled']['verdict']}" for v in d)
    pooled = d[0]["text"].split("; pooled over ", 1)[-1]
    return _short(f"pooled over {pooled}"), verdict


def _torus_seeds(key: str):
    """A torus sweep's verdicts over seeds (torus-verdicts.json): per representation its answer
    beyond the controls (``key`` "verdict") or its alignment (``key`` "alignment")."""

    def read(d: list[dict]) -> tuple[str, str]:
        reps = d[0]["representations"]
        verdict = "; ".join(
            f"{name}: {r[key]['answer']}"
            + (f" ({r[key]['learned']})" if "learned" in r[key] else "")
            for name, r in reps.items()
        )
        if key == "verdict":
            return _short(next(iter(reps.values()))["text"]), verdict
        seen = "; ".join(f"{name} {r[key]['x_on_x']['mean']:.2f}, {r[key]['y_on_y']['mean']:.2f}"
                         for name, r in reps.items())  # fmt: skip
        return _short(f"{d[0]['seeds']} seeds, x-on-x and y-on-y (a Clifford torus: 1, 1): "
                      f"{seen}"), verdict  # fmt: skip

    return read


def _percolation(d: dict) -> tuple[str, str]:
    """Per width the accuracy onset with its bootstrap interval beside each predicted λ_c; the
    verdict per overlap threshold (percolation_stats.threshold_verdict)."""
    result, parts = d["result"], []
    for width in result["widths"]:
        crit = [s["critical"] for s in d["simulation"] if s["sigma"] == width["sigma"]]
        iv = width.get("interval") or {}
        onset = (f"onset λ ≈ {iv['estimate']:.2f} (95 % {iv['lo']:.2f}–{iv['hi']:.2f})"
                 if iv.get("estimate") is not None else f"onset in {width['bracket']}")  # fmt: skip
        preds = ", ".join("none" if c is None else f"{c:.2f}" for c in crit)
        parts.append(f"σ = {width['sigma']:g}: {onset}; λ_c {preds}")
    head = (f"{len(d['trained'][0]['seeds'])} seeds, {len(result['widths'][0]['fractions'])} λ "
            "per width: ")  # fmt: skip
    verdict = "; ".join(f"overlap > {k}: {v}" for k, v in result["verdicts"].items())
    return _short(head + "; ".join(parts)), verdict


def _efficiency(d: dict) -> tuple[str, str]:
    """Per dataset the exponent of N with its bootstrap standard error and the canvases it was
    fitted on, or that it has none; the verdict: the answer of the summary's last sentence
    (experiments/efficiency_stats.py)."""
    parts = []
    for name, scaling in d["scaling"].items():
        boot = scaling.get("bootstrap") or {}
        if boot.get("se") is None:
            parts.append(f"{name}: no exponent with a standard error")
            continue
        over = ", ".join(map(str, boot["canvases"]))
        parts.append(f"{name}: exponent {boot['exponent']:.2f} ± {boot['se']:.2f} (N = {over})")
    seeds = sorted({s for m in d["members"] for s in m.get("seeds", [])})
    head = f"{len(seeds)} seed(s): " if seeds else ""
    verdict = ", ".join(_bold(d["sentences"][-1])) or "n/a"
    return _short(head + "; ".join(parts) + "; linear 1, quadratic 2"), verdict


CLAIMS = [  # (claim, what the paper says, file under results/, reader → (measured, verdict))
    ("Phases ↔ behaviour", "the layer goes A → B → C while generations go multiple bumps → one "
     "mislocated bump → the correct bump", "sweeps/quick-seeds/verdicts.json", _phases("quick")),
    ("Phase B is learned", "B: a disordered 2D manifold of the layer while one bump is generated "
     "at the wrong place", "sweeps/quick-seeds/verdicts.json", _trajectory),
    ("Phases ↔ behaviour, papers' canvas", "the same, on the papers' 32 × 32 canvas",
     "sweeps/scale32-seeds/verdicts.json", _phases("32 × 32")),
    ("Phase B is learned, papers' canvas", "the same, on the papers' 32 × 32 canvas",
     "sweeps/scale32-seeds/verdicts.json", _trajectory),
    ("Coupled x/y", "with dx = 0.1, dy = 1 the two axes are learned together, not each at its "
     "own pace", "imbalanced/coupling.json", _coupling),
    ("Coupled x/y, decided", "the same claim on a design whose two predictions differ (x over 8 "
     "values 1 px apart, y over 3 values 3 px apart), chosen by a power analysis before its 2D "
     "seeds", "imbalanced/decisive-coarse.json", _coupling_pooled),
    ("Coupled x/y, paper's lattice", "the same claim on the paper's own dx = 0.1, dy = 1, with x "
     "read to 0.25 px so that the two predictions differ, chosen by the same power analysis",
     "imbalanced/decisive-finex.json", _coupling_pooled),
    ("Factorized torus", "the terminal representation is a factorized (not coupled) torus",
     "torus/seeds-verdicts.json", _torus_seeds("verdict")),
    ("Not aligned", "the representations of different values of one feature are not aligned "
     "(x-on-x and y-on-y well below a Clifford torus's)", "torus/seeds-verdicts.json",
     _torus_seeds("alignment")),
    ("Composition", "models trained on stripes (and sums of stripes) compose them into unseen 2D "
     "bumps", "compose/compose.json", _answers(exclude=("rim",))),
    ("Rim", "a few 2D examples on the rim suffice for composition in the interior",
     "compose/compose.json", _answers(["rim"])),
    ("Interpolation", "the model interpolates into a held-out region of conditions",
     "interpolate/interpolate.json", _answers(label="lesion w = ")),
    ("Sample efficiency", "stripes make 2D bumps cheaper to learn as the canvas grows",
     "efficiency/fine.json", _efficiency),
    ("Percolation", "accuracy turns on where the training data's overlap percolates",
     "percolation/fine.json", _percolation),
]  # fmt: skip


def claims_table(results: Path) -> str:
    """The ledger as a Markdown table, read from the committed files under ``results``."""
    lines = ["| claim | the paper | measured | verdict | file |", "|---|---|---|---|---|"]
    for claim, paper, name, read in CLAIMS:
        measured, verdict = read(json.loads((Path(results) / name).read_text()))
        lines.append(f"| {claim} | {paper} | {measured} | **{verdict}** | `results/{name}` |")
    return "\n".join(lines)
