"""The `samplers` experiment: which cheaper sampler may stand in for the papers' DDPM-T?

docs/science.md, "Sampler": a sampler is a valid stand-in only after its outcome fractions match
DDPM-T's on checkpoints of every phase (not accuracy alone). The study takes an analysed phases run
(``samplers.source``, or one it trains in ``<out>/model``), picks the middle checkpoint of each
stage seen (multiple, mislocated, correct bumps dominant) and the trained one, and generates
with DDPM-T and every candidate (``samplers.candidates``) from the same conditions and per-image
seeds, so image i of one sampler starts from the same x_T as image i of another and differences
can be paired
(``samplers_stats``). ``fp32`` candidates run without autocast on every device; ``bf16`` ones run
the network under bf16 autocast (emulated on CPUs without bf16 units).

Run folder: ``config.yaml``, ``model/`` (the trained phases run, unless ``samplers.source``),
``samplers.json`` (records.SamplerStudy, rewritten after every row, so an interrupted study keeps
what it measured and continues), ``figures/`` and ``report.html``.
"""

from __future__ import annotations

import time
from pathlib import Path

from bumpdiff.analysis.pipeline import (
    analyse_pending,
    classify_images,
    eval_conditions,
    load_checkpoint_model,
)
from bumpdiff.config import Config, ConfigError
from bumpdiff.diffusion.sampling import SamplerSpec, candidate_key, candidate_spec, generate
from bumpdiff.experiments.base import Experiment, Log, train_to_end
from bumpdiff.experiments.phases import report as report_phases
from bumpdiff.experiments.samplers_stats import choice_sentence, choose_sampler
from bumpdiff.report import pages
from bumpdiff.scoring.outcomes import OUTCOMES, summarize
from bumpdiff.store.records import PhaseEntry, SamplerRow, SamplerStudy
from bumpdiff.store.runfolder import RunFolder


def model_config(cfg: Config) -> Config:
    """The config of the phases run the study trains when no ``samplers.source`` is given."""
    return cfg.model_copy(update={"experiment": "phases"})


def source_run(cfg: Config, root: RunFolder) -> RunFolder:
    if cfg.samplers.source is None:
        return root.subrun("model")
    source = RunFolder(Path(cfg.samplers.source))
    if not source.exists():
        raise ConfigError(
            f"samplers.source: must be a bumpdiff run folder, got {cfg.samplers.source!r}"
        )
    return source


def train_models(cfg: Config, root: RunFolder, log: Log, progress: bool = True) -> None:
    if cfg.samplers.source is None:
        train_to_end(model_config(cfg), root.subrun("model"), log, progress)


def phase_checkpoints(entries: list[PhaseEntry]) -> dict[str, int]:
    """The middle checkpoint of each behavioural stage seen (where multiple bumps, one
    mislocated bump or the correct bump is the dominant outcome; the final checkpoint excluded),
    then the final one. Chosen by what the model generates, not by the layer's phase: a sampler
    is judged on every kind of image the run makes, whatever the probe says (on the quick run
    the layer has no B phase while mislocated bumps dominate)."""
    final = entries[-1].step
    picks = {}
    for outcome in ("multiple", "mislocated", "correct"):
        steps = [
            e.step
            for e in entries
            if max(e.fractions, key=e.fractions.get) == outcome and e.step != final
        ]
        if steps:
            picks[outcome] = steps[len(steps) // 2]
    return {**picks, "final": final}


def specs(cfg: Config) -> list[SamplerSpec]:
    """DDPM-T (the reference) first, then every distinct candidate."""
    texts = ["ddpm", *cfg.samplers.candidates]
    return list(dict.fromkeys(candidate_spec(cfg, t) for t in texts))


def _spec_key(spec: SamplerSpec) -> tuple:
    return spec.name, spec.steps, spec.precision, spec.noise, spec.clip


def sampled_row(model, cfg: Config, n: int, seed: int, spec: SamplerSpec) -> dict:
    """``n`` images from the evaluation conditions (seeded draws, the same for every sampler),
    classified: cost, accuracy, outcome fractions and each image's outcome code."""
    grid = eval_conditions(cfg)
    t0 = time.perf_counter()
    images, conds = generate(model, cfg, grid, -(-n // len(grid)), seed, spec)
    seconds = time.perf_counter() - t0
    result = classify_images(cfg, images[:n], conds[:n])
    summary = summarize(result)
    return {
        "sampler": spec.name,
        "steps": spec.steps,
        "precision": spec.precision,
        "noise": spec.noise,
        "clip": spec.clip,
        "nfe": spec.steps,
        "images": n,
        "seconds_per_image": seconds / len(images),
        "accuracy": summary["accuracy"],
        "fractions": {o: summary[f"frac_{o}"] for o in OUTCOMES},
        "outcome_codes": "".join(str(OUTCOMES.index(o)) for o in result.outcome),
    }


def analyse(cfg: Config, root: RunFolder, log: Log) -> None:
    """Analyse the source run (phases.json), then measure every (checkpoint, sampler) pair not
    yet in samplers.json, saving after each."""
    source = source_run(cfg, root)
    model_cfg = source.read_config()
    if analyse_pending(source, model_cfg, log) or not source.phases_path.is_file():
        report_phases(model_cfg, source)  # the phases this study picks its checkpoints from
    picks = phase_checkpoints(source.read_phases())
    if cfg.samplers.steps is not None:
        available = set(source.checkpoint_steps())
        missing = sorted(set(cfg.samplers.steps) - available)
        if missing:
            raise ConfigError(
                f"samplers.steps: must be checkpoints of {source.root} "
                f"({sorted(available)}), got {missing}"
            )
        picks = {**{f"step {k}": k for k in cfg.samplers.steps}, "final": picks["final"]}
    study = root.read_samplers() or SamplerStudy(run=str(source.root), checkpoints=picks)
    # fp32 means fp32 on every device: the run's CUDA autocast (train.bf16) is switched off here;
    # the study samples on its own threads (train.threads), not on those the source run had.
    own = {"bf16": False, "threads": cfg.train.threads}
    model_cfg = model_cfg.model_copy(update={"train": model_cfg.train.model_copy(update=own)})
    done = {(r.checkpoint, *candidate_key(r)) for r in study.rows}
    for ckpt, step in picks.items():
        todo = [s for s in specs(cfg) if (ckpt, *_spec_key(s)) not in done]
        if not todo:
            continue
        model = load_checkpoint_model(source, model_cfg, step)
        n = cfg.samplers.images if ckpt == "final" else cfg.samplers.phase_images
        for spec in todo:
            log(f"{spec.label} on {ckpt} (step {step}), {n} images …")
            row = sampled_row(model, model_cfg, n, cfg.samplers.seed, spec)
            study.rows.append(SamplerRow(checkpoint=ckpt, step=step, **row))
            root.write_samplers(study)


def report(cfg: Config, root: RunFolder) -> list[str]:
    """The rule's choice into samplers.json, figures and report.html; the headline lines."""
    study = root.read_samplers()
    if study is None or not study.rows:
        raise ConfigError(f"run: no samplers.json in {root.root} (run the study first)")
    s = cfg.samplers
    study.choice = choose_sampler(
        study.rows, s.accuracy_tolerance, s.fraction_tolerance, s.z, cfg.sample.clip
    )
    root.write_samplers(study)
    verdict = choice_sentence(study.choice)
    pages.samplers_page(root, cfg, study, verdict)
    return [verdict, f"samplers: {root.samplers_path}"]


EXPERIMENT = Experiment("samplers", train_models, analyse, report)
