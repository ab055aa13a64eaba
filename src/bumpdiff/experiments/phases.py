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
from bumpdiff.analysis.while_training import train_while_analysing
from bumpdiff.config import Config, ConfigError
from bumpdiff.experiments.base import Experiment, Log, train_to_end
from bumpdiff.probe.correspondence import PHASES, phase_summary
from bumpdiff.probe.trajectory_metrics import step_value, trajectory_phase
from bumpdiff.report import pages
from bumpdiff.store.analysis_files import read_recorded
from bumpdiff.store.records import PhaseEntry, PhaseProbe, ProbeRow
from bumpdiff.store.runfolder import RunFolder
from bumpdiff.training.side_by_side import can_overlap

# The trajectory probe's fields, copied from each checkpoint's eval row into phases.json
TRAJECTORY_KEYS = {"trajectory", "trajectory_phase", "decided_t_generated", "decided_t_condition"}


def train_models(cfg: Config, root: RunFolder, log: Log, progress: bool = True) -> None:
    """Train the run; with ``train.overlap`` (on the CPU) while analysing its checkpoints."""
    if can_overlap(cfg) is None:
        train_while_analysing(cfg, root, log)
    else:
        train_to_end(cfg, root, log, progress)


def analyse(cfg: Config, root: RunFolder, log: Log) -> None:
    """Evaluate and probe every checkpoint not yet analysed."""
    analyse_pending(root, cfg, log)


def phase_table(run: RunFolder, min_learned: float | None = None) -> list[PhaseEntry]:
    """One entry per checkpoint with both an eval and a probe row; with ``min_learned``, the
    trajectory phase is named again from the eval row's steps under that threshold (the row's
    measures do not depend on it)."""
    evals = run.latest_by_step("eval")
    probes = run.latest_by_step("probe")
    entries = []
    for step in run.checkpoint_steps():
        if step not in evals or step not in probes:
            continue
        ev, pr = evals[step], probes[step]
        if min_learned is not None and ev.trajectory:
            ev = ev.model_copy(
                update={"trajectory_phase": trajectory_phase(ev.trajectory, min_learned)}
            )
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
                **ev.model_dump(include=TRAJECTORY_KEYS),
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


def _snapshots(run: RunFolder, rows: list[PhaseEntry]) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """First and last checkpoint of each phase (distinct), as UMAP panels."""
    chosen = []
    for phase in PHASES:
        steps = [r.step for r in rows if r.phase == phase]
        for step in dict.fromkeys([steps[0], steps[-1]] if steps else []):
            chosen.append((phase, step))
    panels = []
    for phase, step in chosen:
        probe = read_recorded(run, "probe", step)
        panels.append((f"step {step} (phase {phase})", probe["conditions"], probe["umap"]))
    return panels


def _gallery(run: RunFolder, rows: list[PhaseEntry]) -> list[tuple]:
    """Step 0, the checkpoint where each outcome (multiple, mislocated, correct) dominates most,
    and the last: random images of each outcome, annotated."""
    if not rows:
        return []
    chosen = {rows[0].step: "first", rows[-1].step: "last"}
    for outcome in ("multiple", "mislocated", "correct"):
        best = max(rows, key=lambda r: r.fractions[outcome])
        if best.fractions[outcome] == max(best.fractions.values()):
            chosen.setdefault(best.step, f"most {outcome}")
    gallery = []
    for step in sorted(chosen):
        samples = read_recorded(run, "eval", step)
        gallery += pages.gallery_rows(samples, f"step {step} ({chosen[step]})", seed=step)
    return gallery


def _condition_strip(run: RunFolder, rows: list[PhaseEntry]) -> tuple[list, list, str]:
    """The middle condition of the evaluation grid at every checkpoint: its image, titled with
    the step and the outcome (the first draw of that condition)."""
    images, titles, target = [], [], None
    for row in rows:
        samples = read_recorded(run, "eval", row.step)
        if target is None:
            target = samples["conditions"][len(samples["conditions"]) // 2]
        k = int(np.argmin(np.abs(samples["conditions"] - target).sum(axis=1)))
        images.append(samples["images"][k])
        titles.append(f"{row.step}: {samples['outcome'][k]}")
    label = "" if target is None else f"condition μ = ({target[0]:g}, {target[1]:g})"
    return images, titles, label


def _trajectory_views(run: RunFolder, rows: list[PhaseEntry]) -> list[tuple]:
    """UMAP views along the generation of the checkpoint with the most mislocated images and of
    the last, each at the captured t where its layer is most ordered by p beyond the controls."""
    have = [r for r in rows if r.trajectory]
    if not have:
        return []
    chosen = max(have, key=lambda r: r.fractions["mislocated"])
    panels = []
    for row in [chosen] if chosen is have[-1] else [chosen, have[-1]]:
        saved = read_recorded(run, "eval", row.step)
        if "trajectory_umap" not in saved:  # made before the views were kept
            continue
        learned = np.array([step_value(s, "learned_generated") for s in row.trajectory])
        j = int(np.nanargmax(learned)) if np.isfinite(learned).any() else 0
        share = row.fractions["mislocated"]
        title = f"step {row.step} (mislocated {share:.0%})\nt = {row.trajectory[j]['t']:.0f}"
        panels.append((title, saved["trajectory_umap"][j], saved["conditions"], saved["centers"]))
    return panels


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
    entries = phase_table(root, cfg.trajectory.min_learned)
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
        "trajectory_views": _trajectory_views(root, entries),
        "strip": _condition_strip(root, entries),
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


EXPERIMENT = Experiment("phases", train_models, analyse, report)
