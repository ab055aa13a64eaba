"""The `phases` experiment (seed paper, Figs. of learning dynamics): train with dense early
checkpoints, then evaluate and probe every checkpoint, and report whether the representation phases
(A → B → C, from the probe alone) line up with the generation outcomes (multiple bumps → one bump at
the wrong place → right place), as the paper claims.

Run folder: the trained run itself, plus ``phases.json`` (records.PhaseEntry per checkpoint),
``figures/`` and ``report.html``.
"""

from __future__ import annotations

import numpy as np

from bumpdiff.analysis.pipeline import analyse_pending
from bumpdiff.config import Config, ConfigError
from bumpdiff.experiments.base import Experiment, Log, train_to_end
from bumpdiff.report import pages
from bumpdiff.scoring.outcomes import OUTCOMES
from bumpdiff.store.records import PhaseEntry, PhaseProbe, ProbeRow
from bumpdiff.store.runfolder import RunFolder, load_npz
from bumpdiff.training.side_by_side import can_overlap, train_overlapped

# The seed paper's correspondence (DESIGN.md, "What it is for"): phase → dominant outcome.
EXPECTED_OUTCOME = {"A": "multiple", "B": "mislocated", "C": "correct"}
# Every checkpoint phase (probe.phase.checkpoint_phase), in the order the report lists them.
PHASES = ("A", "B", "relay", "C", "undetermined")


def train_models(cfg: Config, root: RunFolder, log: Log, progress: bool = True) -> None:
    """Train the run; with ``train.overlap`` (on the CPU) while analysing its checkpoints."""
    if can_overlap(cfg) is None:
        train_overlapped(cfg, root, log)
    else:
        train_to_end(cfg, root, log, progress)


def analyse(cfg: Config, root: RunFolder, log: Log) -> None:
    """Evaluate and probe every checkpoint not yet analysed."""
    analyse_pending(root, cfg, log)


def phase_table(run: RunFolder) -> list[PhaseEntry]:
    """One entry per checkpoint with both an eval and a probe row."""
    evals = run.latest_by_step("eval")
    probes = run.latest_by_step("probe")
    entries = []
    for step in run.checkpoint_steps():
        if step not in evals or step not in probes:
            continue
        ev, pr = evals[step], probes[step]
        entries.append(
            PhaseEntry(
                step=step,
                phase=pr.phase,
                accuracy=ev.accuracy,
                fractions=ev.fractions(),
                x_accuracy=ev.x_accuracy,
                y_accuracy=ev.y_accuracy,
                r2_x=pr.r2_x,
                r2_y=pr.r2_y,
                probe=PhaseProbe(**pr.model_dump(include=set(PhaseProbe.model_fields))),
                sampler=f"{ev.sampler}-{ev.sampler_steps}",
                raised=ev.frac_raised,
                detector=ev.detector,
                behaviour=_behaviour(ev),
                controls=_controls(pr),
                layer_phase=pr.layer_phase,
                targets_phase=pr.targets_phase,
            )
        )
    return entries


def _behaviour(ev) -> dict[str, float]:
    """The order of the generated positions, where the eval row has it."""
    keys = ("coverage", "trustworthiness", "r2_x", "r2_y")
    values = {k: getattr(ev, f"behaviour_{k}") for k in keys}
    return {k: v for k, v in values.items() if v is not None}


def _controls(pr) -> dict[str, float]:
    """The probe row's controls and placement probe, where it has them."""
    names = [f for f in ProbeRow.model_fields if f.startswith(("reliability", "encoder_",
             "placement_", "readout_", "targets_trust"))]  # fmt: skip
    values = {k: getattr(pr, k) for k in names if isinstance(getattr(pr, k), float)}
    return {**values, **pr.placement_more}


def phase_summary(rows: list[PhaseEntry]) -> tuple[list[dict], bool, str]:
    """Per phase: step range and dominant outcome; agreement with the paper; the verdict.
    The paper's correspondence is judged on the checkpoints named A, B or C; "relay" and
    "undetermined" ones are listed, not counted either way."""
    summary = []
    for phase in PHASES:
        members = [r for r in rows if r.phase == phase]
        if not members:
            continue
        mean = {o: float(np.mean([r.fractions[o] for r in members])) for o in OUTCOMES}
        dominant = max(mean, key=mean.get)
        expected = EXPECTED_OUTCOME.get(phase)
        summary.append(
            {
                "phase": phase,
                "first_step": members[0].step,
                "last_step": members[-1].step,
                "checkpoints": len(members),
                "fractions": mean,
                "dominant": dominant,
                "expected": expected or "",
                "agrees": dominant == expected if expected else None,
            }
        )
    named = [s for s in summary if s["expected"]]
    order = [r.phase for r in rows if r.phase in EXPECTED_OUTCOME]
    in_order = all(a <= b for a, b in zip(order, order[1:]))
    seen = [s["phase"] for s in named]
    agrees = in_order and seen == ["A", "B", "C"] and all(s["agrees"] for s in named)
    return summary, agrees, _verdict(summary, named, seen, in_order, agrees)


def _verdict(summary, named, seen, in_order: bool, agrees: bool) -> str:
    problems = []
    if seen != ["A", "B", "C"]:
        problems.append(f"the phases seen were {', '.join(seen) or 'none'}, not all of A, B, C")
    if not in_order:
        problems.append("the phases did not follow each other in order A → B → C")
    for s in named:
        if not s["agrees"]:
            problems.append(
                f"in phase {s['phase']} the dominant outcome was '{s['dominant']}' "
                f"({s['fractions'][s['dominant']]:.0%}), not '{s['expected']}'"
            )
    if agrees:
        verdict = (
            "This run agrees with the paper: the representation went through phases A → B → C in "
            "order, and the dominant generation outcome was multiple bumps in A, one mislocated "
            "bump in B and one bump at the right place in C"
        )
    else:
        verdict = "This run does not fully agree with the paper: " + "; ".join(problems)
    others = [s for s in summary if not s["expected"]]
    notes = [
        f"{s['checkpoints']} checkpoint(s) {s['phase']} (steps {s['first_step']}–"
        f"{s['last_step']}, mostly '{s['dominant']}')"
        for s in others
    ]
    return verdict + (". Not counted: " + "; ".join(notes) if notes else "") + "."


def _snapshots(run: RunFolder, rows: list[PhaseEntry]) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """First and last checkpoint of each phase (distinct), as UMAP panels."""
    chosen = []
    for phase in PHASES:
        steps = [r.step for r in rows if r.phase == phase]
        for step in dict.fromkeys([steps[0], steps[-1]] if steps else []):
            chosen.append((phase, step))
    panels = []
    for phase, step in chosen:
        probe = load_npz(run.probe_path(step))
        panels.append((f"step {step} (phase {phase})", probe["conditions"], probe["umap"]))
    return panels


def _gallery(run: RunFolder, rows: list[PhaseEntry]) -> list[tuple]:
    """The middle checkpoint of each phase: random images of each outcome, annotated."""
    gallery = []
    for phase in PHASES:
        steps = [r.step for r in rows if r.phase == phase]
        if steps:
            step = steps[len(steps) // 2]
            samples = load_npz(run.samples_path(step))
            gallery += pages.gallery_rows(samples, f"phase {phase}, step {step}", seed=step)
    return gallery


def _intro(rows: list[PhaseEntry]) -> str:
    if not rows:
        return "No evaluated checkpoints."
    last = rows[-1]
    f = last.fractions
    return (
        f"{len(rows)} checkpoints from step 0 to {last.step}. Final accuracy "
        f"{last.accuracy:.1%} (none {f['none']:.1%}, multiple {f['multiple']:.1%}, "
        f"mislocated {f['mislocated']:.1%}), final phase {last.phase}."
    )


def report(cfg: Config, root: RunFolder) -> list[str]:
    """phases.json, figures and report.html from the eval and probe rows; the headline lines."""
    entries = phase_table(root)
    if not entries:  # nothing to report: keep whatever report the folder has
        raise ConfigError(
            f"run: {root.root} has no checkpoint with both an evaluation and a probe; analyse "
            "it first (bumpdiff run CONFIG --out RUN --resume)"
        )
    summary, agrees, verdict = phase_summary(entries)
    root.write_phases(entries)
    analysis = {
        "summary": summary,
        "verdict": verdict,
        "intro": _intro(entries),
        "snapshots": _snapshots(root, entries),
        "gallery": _gallery(root, entries),
    }
    pages.phases_page(root, cfg, entries, analysis)
    lines = []
    if entries:
        final = entries[-1]
        f = final.fractions
        lines.append(
            f"final (step {final.step}): accuracy {final.accuracy:.1%} | none "
            f"{f['none']:.1%}, multiple {f['multiple']:.1%}, mislocated {f['mislocated']:.1%}, "
            f"correct {f['correct']:.1%} | phase {final.phase}"
        )
    return [*lines, verdict, f"phases: {root.phases_path}"]


EXPERIMENT = Experiment(train_models, analyse, report)
