"""The `phases` experiment (seed paper, Figs. of learning dynamics): train with dense early
checkpoints, then evaluate and probe every checkpoint, and report whether the representation phases
(A → B → C, from the probe alone) line up with the generation outcomes (multiple bumps → one bump at
the wrong place → right place), as the paper claims.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

import numpy as np

from bumpdiff.config import Config
from bumpdiff.evaluate import OUTCOMES, fractions
from bumpdiff.report import (
    examples_figure,
    html_table,
    img_tag,
    order_figure,
    outcomes_figure,
    umap_figure,
    write_html,
)
from bumpdiff.runfolder import RunFolder, load_npz, write_json
from bumpdiff.stages import evaluate_checkpoint, probe_checkpoint
from bumpdiff.train import train

# The seed paper's correspondence (DESIGN.md, "What it is for"): phase → dominant outcome.
EXPECTED_OUTCOME = {"A": "multiple", "B": "mislocated", "C": "correct"}


def analyse_checkpoints(run: RunFolder, progress: Callable[[str], None] | None = None) -> None:
    """Evaluate and probe every checkpoint of ``run`` (each appends to metrics.jsonl)."""
    steps = run.checkpoint_steps()
    for i, step in enumerate(steps):
        ev = evaluate_checkpoint(run, step)
        pr = probe_checkpoint(run, step)
        if progress:
            progress(
                f"[{i + 1}/{len(steps)}] step {step}: phase {pr['phase']}, "
                f"accuracy {ev['accuracy']:.2f} (multiple {ev['frac_multiple']:.2f}, "
                f"mislocated {ev['frac_mislocated']:.2f})"
            )


def phase_table(run: RunFolder) -> list[dict]:
    """One object per checkpoint: step, phase, accuracy, outcome fractions, R²_x, R²_y (+ probe)."""
    evals = run.latest_by_step("eval")
    probes = run.latest_by_step("probe")
    rows = []
    for step in run.checkpoint_steps():
        if step not in evals or step not in probes:
            continue
        ev, pr = evals[step], probes[step]
        rows.append(
            {
                "step": step,
                "phase": pr["phase"],
                "accuracy": ev["accuracy"],
                "fractions": fractions(ev),
                "x_accuracy": ev["x_accuracy"],
                "y_accuracy": ev["y_accuracy"],
                "r2_x": pr["r2_x"],
                "r2_y": pr["r2_y"],
                "probe": {
                    k: pr[k]
                    for k in (
                        "condition_share",
                        "knn_overlap",
                        "trustworthiness",
                        "knn_chance",
                        "dimension",
                        "participation_ratio",
                        "r2_x_pca",
                        "r2_y_pca",
                        "spread",
                    )
                },
                "sampler": f"{ev['sampler']}-{ev['sampler_steps']}",
            }
        )
    return rows


def phase_summary(rows: list[dict]) -> tuple[list[dict], bool, str]:
    """Per phase: step range and dominant outcome; agreement with the paper; the verdict."""
    summary = []
    for phase in ("A", "B", "C"):
        members = [r for r in rows if r["phase"] == phase]
        if not members:
            continue
        mean = {o: float(np.mean([r["fractions"][o] for r in members])) for o in OUTCOMES}
        dominant = max(mean, key=mean.get)
        summary.append(
            {
                "phase": phase,
                "first_step": members[0]["step"],
                "last_step": members[-1]["step"],
                "checkpoints": len(members),
                "fractions": mean,
                "dominant": dominant,
                "expected": EXPECTED_OUTCOME[phase],
                "agrees": dominant == EXPECTED_OUTCOME[phase],
            }
        )
    order = [r["phase"] for r in rows]
    in_order = all(a <= b for a, b in zip(order, order[1:]))
    seen = [s["phase"] for s in summary]
    agrees = in_order and seen == ["A", "B", "C"] and all(s["agrees"] for s in summary)
    problems = []
    if seen != ["A", "B", "C"]:
        problems.append(f"the phases seen were {', '.join(seen) or 'none'}, not all of A, B, C")
    if not in_order:
        problems.append("the phases did not follow each other in order A → B → C")
    for s in summary:
        if not s["agrees"]:
            problems.append(
                f"in phase {s['phase']} the dominant outcome was '{s['dominant']}' "
                f"({s['fractions'][s['dominant']]:.0%}), not '{s['expected']}'"
            )
    if agrees:
        verdict = (
            "This run agrees with the paper: the representation went through phases A → B → C in "
            "order, and the dominant generation outcome was multiple bumps in A, one mislocated "
            "bump in B and one bump at the right place in C."
        )
    else:
        verdict = "This run does not fully agree with the paper: " + "; ".join(problems) + "."
    return summary, agrees, verdict


def _snapshots(run: RunFolder, rows: list[dict]) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """First and last checkpoint of each phase (distinct), as UMAP panels."""
    chosen = []
    for phase in ("A", "B", "C"):
        steps = [r["step"] for r in rows if r["phase"] == phase]
        for step in dict.fromkeys([steps[0], steps[-1]] if steps else []):
            chosen.append((phase, step))
    panels = []
    for phase, step in chosen:
        probe = load_npz(run.probe_path(step))
        panels.append((f"step {step} (phase {phase})", probe["conditions"], probe["umap"]))
    return panels


def _examples(run: RunFolder, rows: list[dict], per_row: int = 8):
    examples = []
    for phase in ("A", "B", "C"):
        steps = [r["step"] for r in rows if r["phase"] == phase]
        if not steps:
            continue
        step = steps[len(steps) // 2]
        samples = load_npz(run.samples_path(step))
        pick = np.linspace(0, len(samples["images"]) - 1, per_row).round().astype(int)
        labels = [
            f"({c[0]:.1f},{c[1]:.1f}) {o}"
            for c, o in zip(samples["conditions"][pick], samples["outcome"][pick])
        ]
        examples.append((f"phase {phase}\nstep {step}", samples["images"][pick], labels))
    return examples


def write_phases_report(run: RunFolder) -> dict:
    """phases.json, figures/*.png and report.html from the eval and probe rows of ``run``."""
    cfg = run.read_config()
    rows = phase_table(run)
    summary, agrees, verdict = phase_summary(rows)
    write_json(run.root / "phases.json", rows)
    steps = [r["step"] for r in rows]
    phases = [r["phase"] for r in rows]
    figs = run.figures_dir
    png_outcomes = outcomes_figure(
        steps, [r["fractions"] for r in rows], phases, figs / "outcomes.png"
    )
    probe_rows = [{**r["probe"], "r2_x": r["r2_x"], "r2_y": r["r2_y"]} for r in rows]
    png_order = order_figure(steps, probe_rows, phases, figs / "order.png")
    png_umap = umap_figure(_snapshots(run, rows), figs / "umap.png")
    png_examples = examples_figure(_examples(run, rows), figs / "examples.png")
    table = html_table(
        [
            "phase",
            "steps",
            "checkpoints",
            "none",
            "multiple",
            "mislocated",
            "correct",
            "dominant outcome",
            "paper's outcome",
            "agrees",
        ],
        [
            [
                s["phase"],
                f"{s['first_step']}–{s['last_step']}",
                s["checkpoints"],
                *[s["fractions"][o] for o in OUTCOMES],
                s["dominant"],
                s["expected"],
                "yes" if s["agrees"] else "no",
            ]
            for s in summary
        ],
    )
    per_ckpt = html_table(
        [
            "step",
            "phase",
            "accuracy",
            "multiple",
            "mislocated",
            "R²x (UMAP)",
            "R²y (UMAP)",
            "trustworthiness",
            "R²x (PCs)",
            "R²y (PCs)",
            "cond. share",
            "dimension",
        ],
        [
            [
                r["step"],
                r["phase"],
                r["accuracy"],
                r["fractions"]["multiple"],
                r["fractions"]["mislocated"],
                r["r2_x"],
                r["r2_y"],
                r["probe"]["trustworthiness"],
                r["probe"]["r2_x_pca"],
                r["probe"]["r2_y_pca"],
                r["probe"]["condition_share"],
                r["probe"]["dimension"],
            ]
            for r in rows
        ],
    )
    final = rows[-1] if rows else None
    intro = _intro(cfg, rows)
    sections = [
        ("Summary", f"<p>{intro}</p><p><b>{html.escape(verdict)}</b></p>{table}"),
        ("Generation outcomes against training", img_tag(png_outcomes, "outcomes")),
        ("Order and dimension of the representation", img_tag(png_order, "order")),
        ("UMAP snapshots", img_tag(png_umap, "umap")),
        ("Example generations per phase", img_tag(png_examples, "examples")),
        ("Every checkpoint", per_ckpt),
        ("Method", _method(cfg)),
    ]
    write_html(run.root / "report.html", "bumpdiff · phases", sections)
    return {"rows": rows, "summary": summary, "agrees": agrees, "verdict": verdict, "final": final}


def _intro(cfg: Config, rows: list[dict]) -> str:
    if not rows:
        return "No evaluated checkpoints."
    last = rows[-1]
    f = last["fractions"]
    return html.escape(
        f"{len(rows)} checkpoints from step 0 to {last['step']}. Final accuracy "
        f"{last['accuracy']:.1%} (none {f['none']:.1%}, multiple {f['multiple']:.1%}, "
        f"mislocated {f['mislocated']:.1%}), final phase {last['phase']}."
    )


def _method(cfg: Config) -> str:
    d, s, e, p = cfg.data, cfg.sample, cfg.eval, cfg.probe
    text = (
        f"Data: {d.size}×{d.size} canvas, σ = {d.sigma} px, lattice dx = {d.dx}, dy = {d.dy}. "
        f"Evaluation: sampler {s.sampler} ({s.steps} steps unless ddpm), {s.draws} draws per "
        f"condition, seed {s.seed}; outcome by components above {e.threshold} and centre within "
        f"{e.tolerance} px per axis ({e.detector}). Probe: layer {p.layer}, input '{p.input}' at "
        f"t = {p.t}, {p.draws} draws per condition, UMAP to 3D on per-condition means "
        f"(n_neighbors {p.umap_neighbors}, min_dist {p.umap_min_dist}, seed {p.seed}). Phase rule "
        f"(thresholds ours): A if the chance-corrected condition share < "
        f"{cfg.phase.min_condition_share} (or, with one draw, local dimension > "
        f"{cfg.phase.max_dimension}); C if trustworthiness ≥ {cfg.phase.min_trustworthiness} "
        f"and R²x, R²y on the top {p.pcs} PCs ≥ {cfg.phase.min_r2}; B otherwise. The phase comes "
        "from the representation "
        "alone; the outcomes are measured separately, so their correspondence is a finding. "
        "Settings not stated by the papers are ours (see config.yaml)."
    )
    return f"<p class='note'>{html.escape(text)}</p>"


def run_phases(
    cfg: Config,
    out: str | Path,
    resume: bool = False,
    progress: bool = True,
    log: Callable[[str], None] | None = None,
) -> dict:
    """Train, evaluate and probe every checkpoint, and write the report; returns the summary."""
    run = train(cfg, out, resume=resume, progress=progress)
    analyse_checkpoints(run, log)
    return write_phases_report(run)


def main(cfg: Config, out: str | Path, resume: bool, console) -> dict:
    """`bumpdiff run` for the phases experiment: run it and print the headline numbers."""
    import time

    t0 = time.perf_counter()
    result = run_phases(cfg, out, resume=resume, log=console.print)
    seconds = time.perf_counter() - t0
    final = result["final"]
    if final:
        f = final["fractions"]
        console.print(
            f"final (step {final['step']}): accuracy {final['accuracy']:.1%} | none "
            f"{f['none']:.1%}, multiple {f['multiple']:.1%}, mislocated {f['mislocated']:.1%}, "
            f"correct {f['correct']:.1%} | phase {final['phase']}"
        )
    console.print(result["verdict"])
    console.print(f"wall time {seconds:.0f} s; report: {Path(out) / 'report.html'}")
    return result
