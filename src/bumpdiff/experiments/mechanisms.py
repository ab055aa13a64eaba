"""The mechanisms analysis of a trained run, end to end (``bumpdiff dynamics RUN``): the measures
of every checkpoint (analysis/dynamics.py), the three answers (mechanisms_stats.py: between the
lattice points, phase A as a local denoiser's mosaic, concept-space paths), their figures and
the run's ``mechanisms.html``; the answers are written into ``dynamics.json`` beside the numbers
they come from."""

from __future__ import annotations

import numpy as np

from bumpdiff.analysis.dynamics import run_dynamics, training_positions
from bumpdiff.config import Config
from bumpdiff.diffusion.sampling import resolve_sampler
from bumpdiff.experiments.mechanisms_stats import (
    best_fit_runs,
    mosaic_answer,
    mosaic_verdict,
    snapping_answer,
)
from bumpdiff.report import mechanism_figures as mf
from bumpdiff.report import pages
from bumpdiff.store.analysis_files import read_recorded
from bumpdiff.store.runfolder import RunFolder, write_json
from bumpdiff.store.summaries import DynamicsSummary

PAGE = "mechanisms.html.j2"  # a page of a run beside its experiment's own (report.html)
QUESTIONS = {
    "snapping": "Between the lattice points: memorized, or generalized?",
    "mosaic": "Is phase A what a local denoiser of the training set makes?",
    "paths": "Concept-space paths: where does the generated bump go over training?",
}


def phases_of(run: RunFolder) -> dict[int, str]:
    """The phase of each checkpoint from phases.json; empty when the run has none."""
    return {e.step: e.phase for e in run.read_phases()} if run.phases_path.is_file() else {}


def snapping_result(summary: DynamicsSummary) -> tuple[dict, list[list]]:
    rows = [{"step": s.step, **s.snapping.model_dump()} for s in summary.steps]
    controls = {b.label: b.snapping.model_dump() for b in summary.baselines}
    controls["rendered"] = summary.rendered.model_dump()
    labels, answer, why = snapping_answer(rows, controls)
    table = [[r["step"], r["images"], r["one_bump"], r["mean"], r["se"], r["median"],
              r["snapped"], labels[r["step"]]] for r in rows]  # fmt: skip
    ideal, rendered = controls["ideal"]["mean"], controls["rendered"]["mean"]
    se = [r["se"] for r in rows if np.isfinite(r["se"])]
    power = f"; its s.e. per checkpoint {min(se):.3f}–{max(se):.3f}" if se else ""
    sentence = (
        f"Mean snapping index per checkpoint against one half, decided beyond 2 s.e. ({why}"
        f"{power}); controls: the ideal denoiser of the training set {ideal:.2f}, bumps rendered "
        f"at the conditions {rendered:.2f}."
    )
    return {"key": "snapping", "answer": answer, "sentence": sentence}, table


def _network_several(run: RunFolder, cfg: Config, step: int, n: int) -> np.ndarray | None:
    """Whether each of the first ``n`` evaluation images of ``step`` has several bumps; None when
    the evaluation was made with another sampler than the baselines (no pairs)."""
    row = run.latest_by_step("eval").get(step)
    spec = resolve_sampler(cfg)
    if row is None or (row.sampler, row.sampler_steps) != (spec.name, spec.steps):
        return None
    outcome = read_recorded(run, "eval", step)["outcome"]
    return (outcome[:n] == "multiple") if len(outcome) >= n else None


def mosaic_result(run, cfg: Config, summary: DynamicsSummary, phases) -> tuple[dict, list]:
    baselines = {b.label: b for b in summary.baselines}
    verdicts, table, half = [], [], []
    for s in summary.steps:
        if phases.get(s.step) != "A":
            continue
        best = s.best or "ideal"  # no fit at all: compared with the ideal denoiser, r² says why
        base = np.array(baselines[best].outcomes) == "multiple"
        network = _network_several(run, cfg, s.step, len(base))
        if network is None:
            continue
        verdict, numbers = mosaic_verdict(network, base, s.fit_mean[best], cfg.mechanisms.tolerance)
        verdicts.append(verdict)
        half.append((numbers["high"] - numbers["low"]) / 2)
        table.append([s.step, "A", best, numbers["r2"], numbers["network"], numbers["baseline"],
                      numbers["difference"], f"[{numbers['low']:.2f}, {numbers['high']:.2f}]",
                      f"{verdict}: {numbers['why']}"])  # fmt: skip
    answer = mosaic_answer(verdicts)
    ties = [s.runner_up if not s.margin > 2 * s.margin_se else None for s in summary.steps]
    fits = best_fit_runs([s.step for s in summary.steps], [s.best for s in summary.steps], ties)
    fits = f"Best-fitting baseline by r² of ε̂ over training (≈: not 2 s.e. apart): {fits}. "
    if not phases:
        why = "the run has no phases.json (bumpdiff report RUN names the phases)"
    elif not table:
        why = "no phase-A checkpoint has evaluation images made with the baselines' sampler"
    else:
        why = _mosaic_sentence(table, verdicts, half, len(network), cfg.mechanisms.tolerance)
    return {"key": "mosaic", "answer": answer, "sentence": fits + why + "."}, table


def _mosaic_sentence(table: list, verdicts: list, half: list, n: int, tol: float) -> str:
    """The verdicts as runs of checkpoints, the shares of several bumps side by side, and the
    power the design had to say yes."""
    said = [v + (", fitting no baseline" if r[3] <= 0 else "") for v, r in zip(verdicts, table)]
    several = ", ".join(f"{r[0]}: {r[4]:.0%} vs {r[5]:.0%}" for r in table)
    runs = best_fit_runs([r[0] for r in table], said)
    return (
        f"{len(table)} phase-A checkpoints, {runs}; several bumps, network vs its best-fitting "
        f"baseline, by step: {several}. Power: with {n} paired images the 95 % interval's "
        f"half-width was {min(half):.2f}–{max(half):.2f}; 'yes' (the whole interval inside "
        f"±{tol:g}) needs one below {tol:g}"
    )


def paths_result(cfg: Config, summary: DynamicsSummary, training: np.ndarray) -> dict:
    """How far each path ends from its target, lattice and off-lattice targets apart."""
    last = np.array(summary.steps[-1].paths, float)
    targets = np.array(summary.targets, float)
    miss = np.sqrt(((last - targets) ** 2).sum(axis=1))
    on = np.min(np.sqrt(((targets[:, None] - training[None]) ** 2).sum(-1)), axis=1) < 1e-6
    ends = int((miss <= cfg.eval.tolerance).sum())
    parts = [f"{kind} targets end {np.nanmean(miss[m]):.2f} px from their targets on average"
             for kind, m in (("lattice", on), ("off-lattice", ~on)) if m.any()]  # fmt: skip
    sentence = (f"At step {summary.steps[-1].step}, " + " and ".join(parts) +
                f" (mean of {cfg.mechanisms.path_draws} draws each).")  # fmt: skip
    answer = f"{ends} of {len(targets)} paths end within {cfg.eval.tolerance:g} px of their target"
    return {"key": "paths", "answer": answer, "sentence": sentence}


def _baseline_rows(summary: DynamicsSummary) -> list[list]:
    return [[b.label, *b.fractions.values(), b.snapping.mean] for b in summary.baselines]


def run_mechanisms(run: RunFolder, cfg: Config, log, steps: list[int] | None = None) -> list[str]:
    """Measure (resuming), answer, draw, write dynamics.json and mechanisms.html; the answers as
    lines."""
    summary = run_dynamics(run, cfg, log, steps)
    if not summary.steps:
        return ["dynamics: no checkpoint measured"]
    phases = phases_of(run)
    training = training_positions(cfg)
    snapping, snapping_rows = snapping_result(summary)
    mosaic, mosaic_rows = mosaic_result(run, cfg, summary, phases)
    answers = [snapping, mosaic, paths_result(cfg, summary, training)]
    answers = [{**a, "question": QUESTIONS[a["key"]]} for a in answers]
    summary = DynamicsSummary.model_validate({**summary.model_dump(), "answers": answers})
    write_json(run.dynamics_path, summary.model_dump())
    shading = [phases.get(s.step, "") for s in summary.steps] if phases else None
    figures = {
        "snapping": mf.snapping_figure(summary, shading, run.figure_path("snapping")),
        "fit": mf.fit_figure(summary, shading, run.figure_path("baseline-fit")),
        "paths": mf.paths_figure(summary, training, run.figure_path("paths")),
    }
    pages.render(run, cfg, (PAGE, "mechanisms", run.mechanisms_path),
                 answers=answers, figures=figures, snapping_rows=snapping_rows,
                 baseline_rows=_baseline_rows(summary), mosaic_rows=mosaic_rows)  # fmt: skip
    return [f"{a['question']} {a['answer']}. {a['sentence']}" for a in answers]
