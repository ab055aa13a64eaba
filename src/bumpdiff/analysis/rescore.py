"""Re-classifying saved samples without sampling again (``bumpdiff evaluate RUN --rescore``).

Every checkpoint's ``samples/<k>.npz`` is classified under the run's rule (by default bump
prominence, ``eval.rule``) and under the two threshold rules (pixels half an amplitude above the
image's median, or above 0; connected components), on the very same images; ``rescore.json``
keeps each rule's outcome fractions, named by the rule, and the confusion table of the run's rule
against each threshold rule. The run's rule's result also
replaces the checkpoint's eval row (and the outcomes saved beside the images), so the report and
phases.json follow it: with clipped sampling (``sample.clip``, the default) the saved images are
exactly what a new evaluation would draw from the same seeds, so no sampling is needed.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from bumpdiff.analysis.pipeline import SampleSet, classify_images, detector_signature, eval_row
from bumpdiff.config import Config
from bumpdiff.diffusion.sampling import SamplerSpec
from bumpdiff.scoring.outcomes import OUTCOMES, Classification, classify_threshold, confusion
from bumpdiff.store.analysis_files import read_recorded, write_recorded
from bumpdiff.store.records import EvalRow, Rescore, RescoreStep
from bumpdiff.store.runfolder import RunFolder

THRESHOLD_RULES = {  # the threshold rules compared with the run's rule (eval.rule)
    "median+0.5": "pixels more than 0.5 above the image's median, connected components",
    "absolute 0.5": "pixels above 0.5, connected components",
}


def _fractions(result: Classification) -> dict[str, float]:
    return {o: float(np.mean(result.outcome == o)) for o in OUTCOMES}


def rescore_step(run: RunFolder, cfg: Config, step: int) -> tuple[RescoreStep, SampleSet, EvalRow]:
    """Classify one checkpoint's saved samples (checked against their row) under every rule;
    return the comparison, the samples with the run's rule's outcomes, and their new eval row."""
    saved = read_recorded(run, "eval", step)
    images, cond = saved["images"].astype(np.float64), saved["conditions"]
    by_rule = classify_images(cfg, images, cond)
    tol = cfg.eval.tolerance
    thresholded = {
        "median+0.5": classify_threshold(images, cond, tol, 0.5, "median"),
        "absolute 0.5": classify_threshold(images, cond, tol, 0.5, "zero"),
    }
    fractions = {k: _fractions(v) for k, v in thresholded.items()}
    comparison = RescoreStep(
        step=step,
        images=len(images),
        fractions={cfg.eval.rule: _fractions(by_rule), **fractions},
        confusion={k: confusion(by_rule, v) for k, v in thresholded.items()},
        raised=float(np.mean(by_rule.raised)) if by_rule.raised is not None else float("nan"),
    )
    clip = bool(saved["clip"]) if "clip" in saved else True  # files without it: diffusers' default
    spec = SamplerSpec(str(saved["sampler"]), int(saved["steps"]))
    kept = {k: v for k, v in saved.items() if k.startswith("trajectory_")}
    samples = SampleSet(images, cond, by_rule, spec, kept)
    return comparison, samples, eval_row(cfg, step, samples, float("nan"), clip)  # not sampled


def rescore_run(
    run: RunFolder, cfg: Config, steps: list[int], log: Callable[[str], None] | None = None
) -> Rescore:
    """``rescore_step`` for each of ``steps``; logs the eval rows and writes rescore.json."""
    rules = {cfg.eval.rule: detector_signature(cfg), **THRESHOLD_RULES}
    result = Rescore(rules=rules, outcomes=list(OUTCOMES), steps=[])
    for step in steps:
        comparison, samples, row = rescore_step(run, cfg, step)
        write_recorded(run, "eval", step, row, **samples.arrays(row.clip))  # file and row together
        result.steps.append(comparison)
        if log:
            parts = [
                f"{rule}: " + "/".join(f"{100 * f[o]:.0f}" for o in OUTCOMES)
                for rule, f in comparison.fractions.items()
            ]
            log(f"step {step} (none/multiple/mislocated/correct %) " + "; ".join(parts))
    run.write_rescore(result)
    return result
