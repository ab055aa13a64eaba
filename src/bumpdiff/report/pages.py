"""Every page and run-folder figure bumpdiff writes. Experiments and commands hand data here; this
module draws (report/figures.py) and fills the Jinja2 templates (report/templates/), each page
self-contained with its figures embedded and a Method section generated from the config."""

from __future__ import annotations

import base64
from pathlib import Path

import numpy as np
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from bumpdiff.analysis.pipeline import detector_signature
from bumpdiff.config import Config
from bumpdiff.config.experiments import declared
from bumpdiff.devices import resolve_device
from bumpdiff.diffusion.sampling import candidate_key, name_of, resolve_sampler
from bumpdiff.report import figures, trajectory_figures
from bumpdiff.report.method import method_settings
from bumpdiff.scoring.outcomes import OUTCOMES
from bumpdiff.store.analysis_files import read_recorded
from bumpdiff.store.records import CouplingSummary, PhaseEntry, SamplerStudy
from bumpdiff.store.runfolder import RunFolder, atomic_write_text


def _cell(value: object) -> str:
    """A table cell: floats to 3 significant digits, NaN and None as a dash."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return "–" if not np.isfinite(value) else f"{value:.3g}"
    return str(value)


_ENV = Environment(
    loader=PackageLoader("bumpdiff.report", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.filters["cell"] = _cell
_ENV.filters["b64"] = lambda png: base64.b64encode(png).decode()


def render(run: RunFolder, cfg: Config, page_of: tuple | None = None, **context) -> None:
    """Fill the template of ``cfg.experiment``'s page (its declaration, config/experiments.py)
    and write the run's report.html (atomically); ``page_of`` (template, title, path): another
    page of the run instead (the mechanisms page)."""
    declaration = declared(cfg.experiment)
    template, title, out = page_of or (declaration.template, declaration.title, run.report_path)
    page = _ENV.get_template(template).render(
        title=f"bumpdiff · {title}",
        cfg=cfg,
        sampler=resolve_sampler(cfg).label,
        detector=detector_signature(cfg),
        settings=method_settings(cfg),
        provenance=provenance(run, cfg),
        **context,
    )
    atomic_write_text(out, with_contents(page))


def provenance(run: RunFolder, cfg: Config) -> list[tuple[str, str]]:
    """Where the page came from: package version, git commit (where the package is a
    checkout), the date, the device and threads, the run's training and analysis time from its
    rows, and the SHA-256 of its config.yaml."""
    import datetime
    import hashlib
    import platform
    import subprocess

    from bumpdiff.version import __version__

    try:
        git = ["git", "rev-parse", "--short", "HEAD"]
        here = Path(__file__).parent
        commit = subprocess.run(git, capture_output=True, text=True, timeout=5, cwd=here)
        commit = commit.stdout.strip()
    except (OSError, subprocess.SubprocessError):  # no git here: said on the page
        commit = ""
    trains = run.read_metrics("train")
    analysis = sum(float(r.seconds) for r in run.read_metrics("eval") if r.seconds == r.seconds)
    config = run.config_path.read_bytes() if run.config_path.is_file() else b""
    return [
        ("bumpdiff", __version__),
        ("git commit", commit or "not a git checkout"),
        ("page written", datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")),
        ("device", f"{resolve_device(cfg.train.device).type} ({platform.machine()})"),
        (
            "threads",
            str(cfg.train.threads) + (" (the free cores)" if not cfg.train.threads else ""),
        ),
        ("training time", f"{float(trains[-1].seconds):.0f} s" if trains else "–"),
        ("sampling time (evaluations)", f"{analysis:.0f} s"),
        ("config.yaml SHA-256", hashlib.sha256(config).hexdigest()[:16]),
    ]


def with_contents(page: str) -> str:
    """The page with an anchor on every section heading and a table of contents after its
    title."""
    import re

    heads = re.findall(r"<h2>(.*?)</h2>", page)
    for i, head in enumerate(heads):
        page = page.replace(f"<h2>{head}</h2>", f'<h2 id="s{i}">{head}</h2>', 1)
    items = "".join(f'<li><a href="#s{i}">{h}</a></li>' for i, h in enumerate(heads))
    return page.replace("</h1>", f'</h1>\n<ul class="toc">{items}</ul>', 1)


# ---- figures of a run folder, drawn from its files ----------------------------------------------
def outcomes(run: RunFolder) -> bytes:
    """figures/outcomes.png: outcome fractions of every evaluated checkpoint, with the phase of the
    representation above them where the checkpoint was probed (the one writer of this figure)."""
    evals = sorted(run.latest_by_step("eval").values(), key=lambda r: r.step)
    probes = run.latest_by_step("probe")
    phases = [probes[r.step].phase if r.step in probes else "" for r in evals]
    title = "Generation outcomes" + ("; strip: phase of the representation" if any(phases) else "")
    return figures.outcomes_figure(
        [r.step for r in evals],
        [r.fractions() for r in evals],
        phases,
        run.figure_path("outcomes"),
        title=title,
        images=[r.n for r in evals],
    )


def _images(run: RunFolder, steps: list[int]) -> list[int]:
    """How many images each checkpoint's evaluation scored."""
    evals = run.latest_by_step("eval")
    return [int(evals[k].n) if k in evals else 1 for k in steps]


def loss(run: RunFolder) -> bytes:
    """figures/loss.png: the training loss logged along training."""
    rows = run.read_metrics("train")
    return figures.loss_figure([r.step for r in rows], [r.loss for r in rows],
                               run.figure_path("loss"))  # fmt: skip


def gallery_rows(samples: dict, label: str, seed: int, per_row: int = 6) -> list[tuple]:
    """For each outcome in ``samples`` (a samples/<k>.npz), up to ``per_row`` images drawn at
    random (seeded, never hand-picked) with their targets, detected bumps and a caption (the
    outcome and, with a bump, how far the dominant one lies from the target: the larger of the
    two axes' errors, px): rows for ``figures.gallery_figure``, titled ``label`` and the
    outcome's share."""
    rng = np.random.default_rng(seed)
    n = len(samples["images"])
    positions = samples.get("positions", np.full((n, 0, 2), np.nan))
    rows = []
    for outcome in OUTCOMES:
        members = np.flatnonzero(samples["outcome"] == outcome)
        if members.size == 0:
            continue
        pick = np.sort(rng.choice(members, min(per_row, members.size), replace=False))
        title = f"{label}\n{outcome} ({members.size / n:.0%})"
        errors = np.abs(samples["centers"][pick] - samples["conditions"][pick]).max(axis=1)
        captions = [outcome if not np.isfinite(e) else f"{outcome}, {e:.2f} px" for e in errors]
        rows.append((title, samples["images"][pick], samples["conditions"][pick], positions[pick],
                     captions))  # fmt: skip
    return rows


def outcome_examples(run: RunFolder, step: int) -> None:
    """figures/examples-<step>.png: random images of each outcome at ``step``, annotated."""
    rows = gallery_rows(read_recorded(run, "eval", step), f"step {step}", seed=step)
    figures.gallery_figure(rows, run.figure_path(f"examples-{step}"))


def samples_grid(run: RunFolder, step: int, images, conditions, cols: int) -> None:
    """figures/samples-<step>.png: the images of ``bumpdiff sample``, titled by condition."""
    titles = [f"({c[0]:g},{c[1]:g})" for c in conditions]
    figures.image_grid_figure(images, titles, run.figure_path(f"samples-{step}"), cols=cols)


# ---- the experiments' pages -------------------------------------------------------------------
def phases_page(run: RunFolder, cfg: Config, entries: list[PhaseEntry], analysis: dict) -> None:
    """report.html and figures of the phases experiment. ``analysis``: "summary" (per phase),
    "verdict", "intro", "snapshots" (UMAP panels) and "gallery" (rows of generations)."""
    steps = [e.step for e in entries]
    phases = [e.phase for e in entries]
    probe_rows = [
        {**e.probe.model_dump(), "r2_x": e.r2_x, "r2_y": e.r2_y,
         "behaviour_trustworthiness": e.behaviour.get("trustworthiness", float("nan"))}
        for e in entries
    ]  # fmt: skip
    pngs = {
        "outcomes": outcomes(run),
        "fractions": figures.fractions_figure(
            steps,
            [e.fractions for e in entries],
            _images(run, steps),
            run.figure_path("fractions"),
        ),
        "loss": loss(run),
        "order": figures.order_figure(steps, probe_rows, phases, run.figure_path("order")),
        "controls": figures.controls_figure(
            steps, [e.controls for e in entries], phases, run.figure_path("controls")
        ),
        "umap": figures.umap_figure(analysis["snapshots"], run.figure_path("umap")),
        "gallery": figures.gallery_figure(analysis["gallery"], run.figure_path("gallery")),
    }
    if analysis.get("strip") and analysis["strip"][0]:
        images, titles, label = analysis["strip"]
        pngs["strip"] = figures.image_grid_figure(
            images, titles, run.figure_path("condition-strip"), cols=min(len(images), 9),
            title=f"One condition across training: {label} (step: outcome)",
        )  # fmt: skip
    if any(e.trajectory for e in entries):
        pngs |= _trajectory_pngs(run, [e for e in entries if e.trajectory], analysis)
    mechanisms = _mechanisms(run, cfg, pngs)
    render(
        run,
        cfg,
        permuted_rows=_permuted_rows(entries),
        intro=analysis["intro"],
        verdict=analysis["verdict"],
        summary_rows=_summary_rows(analysis["summary"]),
        checkpoint_rows=_checkpoint_rows(entries),
        figures=pngs,
        mechanisms=mechanisms,
    )


def _mechanisms(run: RunFolder, cfg: Config, pngs: dict) -> list:
    """The answers of ``bumpdiff dynamics`` where the run has them, and their concept-space paths
    drawn into ``pngs``; empty otherwise."""
    from bumpdiff.analysis.dynamics import training_positions
    from bumpdiff.report.mechanism_figures import paths_figure
    from bumpdiff.store.summaries import DynamicsSummary

    if not run.dynamics_path.is_file():
        return []
    summary = DynamicsSummary.model_validate_json(run.dynamics_path.read_text())
    if summary.steps:
        pngs["paths"] = paths_figure(summary, training_positions(cfg), run.figure_path("paths"))
    return summary.answers


def _trajectory_pngs(run: RunFolder, entries: list[PhaseEntry], analysis: dict) -> dict:
    """The trajectory probe's figures: order over t and steps, and the UMAP views."""
    steps = [e.step for e in entries]
    pngs = {
        "trajectory_order": trajectory_figures.trajectory_order_figure(
            steps, [e.trajectory for e in entries], [e.trajectory_phase for e in entries],
            run.figure_path("trajectory-order"),
        )
    }  # fmt: skip
    if analysis.get("trajectory_views"):
        pngs["trajectory_umap"] = trajectory_figures.trajectory_umap_figure(
            analysis["trajectory_views"], run.figure_path("trajectory-umap")
        )
    return pngs


def _summary_rows(summary: list[dict]) -> list[list]:
    """One row per phase seen: steps, mean outcome fractions, dominant and expected outcome,
    and in how many of its checkpoints the expected one dominates."""
    return [
        [
            s["phase"],
            f"{s['first_step']}–{s['last_step']}",
            s["checkpoints"],
            *[s["fractions"][o] for o in OUTCOMES],
            s["dominant"],
            s["expected"],
            "not counted"
            if s["agrees"] is None
            else f"{'yes' if s['agrees'] else 'no'} ({s['matching']} of {s['checkpoints']})",
        ]
        for s in summary
    ]


def _checkpoint_rows(entries: list[PhaseEntry]) -> list[list]:
    """Every checkpoint: phases, outcomes, the probe's order metrics and its controls."""
    return [
        [
            e.step,
            e.phase,
            e.layer_phase or "",
            e.trajectory_phase or "",
            e.accuracy,
            e.fractions["none"],
            e.fractions["multiple"],
            e.fractions["mislocated"],
            e.r2_x,
            e.r2_y,
            e.probe.reliability,
            e.probe.reliable_dims,
            e.probe.trustworthiness,
            e.probe.r2_x_pca,
            e.probe.r2_y_pca,
            e.probe.condition_share,
            e.probe.dimension,
            e.probe.half_agreement,
            e.controls.get("encoder_cka"),
            e.controls.get("readout_at_condition"),
            e.behaviour.get("trustworthiness"),
        ]
        for e in entries
    ]


def _permuted_rows(entries: list[PhaseEntry]) -> list[list]:
    """With permuted labels: the layer against the labels and against where the bumps go."""
    return [
        [e.step, e.layer_phase or "", e.targets_phase, e.probe.trustworthiness,
         e.controls.get("targets_trustworthiness"), e.behaviour.get("trustworthiness"),
         e.accuracy]
        for e in entries
        if e.targets_phase is not None
    ]  # fmt: skip


_COUPLING_COLUMNS = (
    "x_step50",
    "y_step50",
    "ratio50",
    "factorized_ratio50",
    "x_step90",
    "y_step90",
    "ratio90",
    "curve_corr",
)


def imbalanced_page(
    run: RunFolder, cfg: Config, summary: CouplingSummary | None, panels, lines=()
) -> None:
    """report.html and figures/coupling.png of the imbalanced experiment; ``panels`` as
    figures.axis_curves_figure takes them. Without a summary (only the references trained),
    ``lines`` say what they measured."""
    rows = [
        [v.dx, v.dy, v.n_x, v.n_y, *(getattr(v, k) for k in _COUPLING_COLUMNS), v.verdict]
        for v in (summary.variants if summary else [])
    ]
    curves = figures.axis_curves_figure(panels, run.figure_path("coupling"))
    verdict = summary.verdict.replace("**", "") if summary else " ".join(lines)
    render(run, cfg, verdict=verdict, variant_rows=rows, figures={"curves": curves})


def samplers_page(run: RunFolder, cfg: Config, study: SamplerStudy, verdict: str) -> None:
    """report.html and figures/samplers.png of the sampler study."""
    final = {candidate_key(r): r for r in study.rows if r.checkpoint == "final"}
    seconds = {}
    for r in study.rows:
        seconds.setdefault(candidate_key(r), []).append(r.seconds_per_image)
    rows, labels, cost, worst = [], [], [], []
    for c in study.choice.candidates:
        label = name_of(*candidate_key(c))
        rule = "reference" if c.evidence == "reference" else "passes" if c.passes else "fails"
        s = float(np.median(seconds[candidate_key(c)]))
        acc = final[candidate_key(c)].accuracy if candidate_key(c) in final else None
        rows.append(
            [label, c.steps, s, acc, 100 * c.worst_fraction_diff, 100 * c.worst_fraction_se,
             c.worst_fraction_at, rule, c.evidence]
        )  # fmt: skip
        labels.append(label)
        cost.append(s)
        worst.append(100 * c.worst_fraction_diff)
    study_rows = [
        [r.checkpoint, r.step, name_of(*candidate_key(r)), r.images,
         r.seconds_per_image, *(r.fractions[o] for o in OUTCOMES)]
        for r in study.rows
    ]  # fmt: skip
    png = figures.sampler_cost_figure(labels, cost, worst, run.figure_path("samplers"))
    render(
        run,
        cfg,
        verdict=verdict,
        candidate_rows=rows,
        study_rows=study_rows,
        figures={"cost": png},
        source=study.run,
        checkpoints=", ".join(f"{k} = step {v}" for k, v in study.checkpoints.items()),
    )
