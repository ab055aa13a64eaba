"""Evidence files made from finished runs and studies (``bumpdiff evidence TOOL …``): nothing is
trained or sampled, each tool reads run folders or study files and writes one JSON summary.

- ``compare``: outcome fractions of several run folders side by side, per checkpoint, from the
  latest eval row of each (e.g. one run evaluated with and without x̂₀ clipping, or re-scored at
  other prominences), with the range of the generated pixel values;
- ``agreement``: does a faster way of running the demo show what the plain one shows? Two analysed
  phases runs compared checkpoint by checkpoint: the phase named, and every outcome fraction's
  difference against its standard error (two independent binomial samples);
- ``pool-samplers``: sampler studies of one run on disjoint images pooled into one
  (``samplers_stats.pool_studies``) with the rule's choice on the pooled rows; each study is given
  with the ``samplers.seed`` it ran with (image r is seeded seed + r); overlapping seeds are
  refused;
- ``sampler-se``: the paired standard errors of a sampler study per candidate: how precisely each
  candidate's outcome fractions are compared with DDPM-T's (lower = fewer images needed);
- ``rejudge``: a sweep's verdicts.json judged again under the current phase ↔ outcome rule
  (probe/correspondence.py) from its rows.parquet, where the member folders are gone: each
  setting's ``paper_agrees`` and the clause of its text that states it;
- ``design-power``: before a coupling design's 2D runs, how many seeds tell its coupled and
  factorized predictions apart by 3 standard errors (experiments/design_power.py), from a finished
  imbalanced study (its coupling.json) and each design's 1D references (references.json of an
  imbalanced run with ``imbalanced.stage: references``), each optionally with its own balanced
  study (``NAME=REFS,BALANCED``: a coupling.json read with the design's tolerances) as its
  coupled prediction;
- ``percolation-power``: before a percolation run, the onset's standard error its config would
  reach (experiments/percolation_onset.py), from a finished pilot's percolation.json, and
  whether that tells the thresholds' λ_c apart;
- ``efficiency-power``: before an efficiency run, the standard error its exponents would have
  (experiments/efficiency_stats.py ``exponent_power``), from a finished pilot's efficiency.json;
- ``pool-shards``: a percolation or efficiency study run a few members per run folder, pooled
  into the summary the whole design writes (experiments/shards.py);
- ``trajectory-calibration``: the trajectory phase's threshold from layers with a known answer
  measured along a trained run's own generations (analysis/trajectory_calibration.py; the one
  tool that samples again, with the run's sampler and seeds).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from pydantic import ValidationError

from bumpdiff.config import ConfigError
from bumpdiff.diffusion.sampling import name_of
from bumpdiff.experiments.samplers_stats import (
    choose_sampler,
    diff_and_se,
    pool_studies,
    sampler_table,
)
from bumpdiff.scoring.outcomes import OUTCOMES
from bumpdiff.store.records import SamplerStudy
from bumpdiff.store.runfolder import RunFolder

USAGE = {
    "compare": "compare OUT.json NAME=RUN [NAME=RUN ...]",
    "agreement": "agreement OUT.json BASE_RUN OTHER_RUN",
    "pool-samplers": "pool-samplers OUT.json STUDY.json:SEED STUDY.json:SEED ...",
    "sampler-se": "sampler-se STUDY.json OUT.json",
    "trajectory-calibration": "trajectory-calibration OUT.json RUN [T,T,...]",
    "rejudge": "rejudge VERDICTS.json ROWS.parquet",
    "design-power": "design-power OUT.json COUPLING.json NAME=REFERENCES.json[,BALANCED.json] "
    "[...]",
    "percolation-power": "percolation-power OUT.json PILOT.json CONFIG.yaml",
    "efficiency-power": "efficiency-power OUT.json PILOT.json CONFIG.yaml",
}
Z = 1.96


def compare_runs(runs: dict[str, Path]) -> dict:
    """Per checkpoint every run (name → folder) has evaluated: its outcome fractions, raised
    share, detector and clipping, and the range of its generated pixel values."""
    evals = {name: RunFolder(path).latest_by_step("eval") for name, path in runs.items()}
    steps = sorted(set.intersection(*(set(rows) for rows in evals.values())))
    result = {"runs": {name: str(path) for name, path in runs.items()}, "steps": []}
    for step in steps:
        row = {"step": step}
        for name, rows in evals.items():
            ev = rows[step]
            row[name] = {**ev.fractions(), "raised": ev.frac_raised, "detector": ev.detector}
            row[name]["clip"] = ev.clip
            samples = RunFolder(runs[name]).samples_path(step)
            if samples.is_file():  # the range of the generated pixel values, data scale
                images = np.load(samples)["images"]
                row[name]["pixel_min"] = float(images.min())
                row[name]["pixel_max"] = float(images.max())
                spans = images.max(axis=(1, 2)) - images.min(axis=(1, 2))
                row[name]["median_span"] = float(np.median(spans))
        result["steps"].append(row)
    return result


def agreement(base: RunFolder, other: RunFolder) -> dict:
    """Per shared checkpoint: both phases, each fraction's difference (other − base) and SE;
    totals of agreeing phases and of fractions within ``Z`` standard errors."""
    a, b = base.read_phases(), other.read_phases()
    by_step = {e.step: e for e in b}
    rows = []
    for ea in a:
        eb = by_step.get(ea.step)
        if eb is None:
            continue
        n_a = base.latest_by_step("eval")[ea.step].n
        n_b = other.latest_by_step("eval")[ea.step].n
        fractions = {}
        for o in OUTCOMES:
            p, q = ea.fractions[o], eb.fractions[o]
            # one pseudo-image of each outcome keeps the error from reading 0 at 0 % vs 0 %
            se = float(np.sqrt((p * (1 - p) + 1 / n_a) / n_a + (q * (1 - q) + 1 / n_b) / n_b))
            fractions[o] = {"base": p, "other": q, "diff": q - p, "se": se}
        rows.append({"step": ea.step, "phase": [ea.phase, eb.phase], "fractions": fractions})
    within = [abs(f["diff"]) <= Z * f["se"] for r in rows for f in r["fractions"].values()]
    return {
        "base": str(base.root),
        "other": str(other.root),
        "checkpoints": len(rows),
        "same_phase": sum(r["phase"][0] == r["phase"][1] for r in rows),
        "fractions": len(within),
        "fractions_within_z_se": int(sum(within)),
        "z": Z,
        "largest_diff": max(
            (abs(f["diff"]) for r in rows for f in r["fractions"].values()), default=0.0
        ),
        "rows": rows,
    }


def agreement_main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(f"usage: bumpdiff evidence {USAGE['agreement']}", file=sys.stderr)
        return 2
    result = agreement(RunFolder(Path(argv[1])), RunFolder(Path(argv[2])))
    Path(argv[0]).write_text(json.dumps(result, indent=1) + "\n")
    print(
        f"same phase at {result['same_phase']}/{result['checkpoints']} checkpoints; "
        f"{result['fractions_within_z_se']}/{result['fractions']} outcome fractions within "
        f"{Z} SE (largest difference {100 * result['largest_diff']:.1f} points)"
    )
    return 0


def _read(spec: str) -> tuple[SamplerStudy, int]:
    """One "FILE.json:SEED" argument: the study and its seed, or a one-line error naming it."""
    path, _, seed = spec.rpartition(":")
    if not path or not seed.isdigit():
        raise ConfigError(f"study: expected FILE.json:SEED, got {spec!r}")
    try:
        return SamplerStudy.model_validate_json(Path(path).read_text()), int(seed)
    except (OSError, ValidationError) as err:
        reason = err.strerror if isinstance(err, OSError) else "not a samplers.json study"
        raise ConfigError(f"study: cannot read {path} ({reason})") from None


def pooled(specs: list[str]) -> tuple[SamplerStudy, list[dict]]:
    """The pooled study (with its choice) and where its parts came from."""
    studies = [_read(spec) for spec in specs]
    study = pool_studies(studies)
    study.choice = choose_sampler(study.rows)
    sources = [
        {"file": spec.rpartition(":")[0], "seed": seed}
        for spec, (_, seed) in zip(specs, studies, strict=True)
    ]
    return study, sources


def pool_main(argv: list[str]) -> int:
    if len(argv) < 3:
        print(f"usage: bumpdiff evidence {USAGE['pool-samplers']}", file=sys.stderr)
        return 2
    try:
        study, sources = pooled(argv[1:])
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    result = {"pooled_from": sources, **study.model_dump(mode="json")}
    Path(argv[0]).write_text(json.dumps(result, indent=1) + "\n")
    print(sampler_table(study.rows))
    return 0


def se_summary(study: SamplerStudy) -> dict:
    """Per candidate: the paired standard errors and differences of every outcome fraction from
    DDPM-T's, in points, with their mean and largest."""
    t = max(r.steps for r in study.rows if r.sampler == "ddpm")
    ref = {
        r.checkpoint: r for r in study.rows if (r.steps, r.noise, r.precision) == (t, "own", "fp32")
    }
    out = {}
    for row in study.rows:
        if row.checkpoint not in ref or row is ref[row.checkpoint]:
            continue
        name = name_of(row.sampler, row.steps, row.precision, row.noise)
        entry = out.setdefault(name, {"se_points": [], "diff_points": []})
        for outcome in OUTCOMES:
            diff, se = diff_and_se(row, ref[row.checkpoint], outcome)
            entry["se_points"].append(100 * se)
            entry["diff_points"].append(100 * diff)
    for entry in out.values():
        entry["mean_se_points"] = float(np.mean(entry["se_points"]))
        entry["largest_abs_diff_points"] = float(np.max(np.abs(entry["diff_points"])))
    return out


def compare_main(argv: list[str]) -> int:
    pairs = [arg.split("=", 1) for arg in argv[1:]]
    if len(argv) < 2 or any(len(p) != 2 for p in pairs):
        print(f"usage: bumpdiff evidence {USAGE['compare']}", file=sys.stderr)
        return 2
    result = compare_runs({k: Path(v) for k, v in pairs})
    Path(argv[0]).write_text(json.dumps(result, indent=2) + "\n")
    print(argv[0])
    return 0


def se_main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(f"usage: bumpdiff evidence {USAGE['sampler-se']}", file=sys.stderr)
        return 2
    study = SamplerStudy.model_validate(json.loads(Path(argv[0]).read_text()))
    result = {"study": argv[0], "candidates": se_summary(study)}
    Path(argv[1]).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v["mean_se_points"] for k, v in result["candidates"].items()}, indent=2))
    return 0


def rejudge(verdicts: list[dict], rows) -> list[dict]:
    """Each setting's ``paper_agrees`` recounted from the rows (one per member and checkpoint:
    phase, step, outcome fractions) under the current rule, and its text's clause with it."""
    import re
    from types import SimpleNamespace

    from bumpdiff.probe.correspondence import phase_summary

    agrees: dict[str, int] = {}
    for _member, sel in rows.sort_values("step").groupby("member"):
        entries = [SimpleNamespace(step=int(r.step), phase=r.phase,
                                   fractions={o: float(getattr(r, f"frac_{o}")) for o in OUTCOMES})
                   for r in sel.itertuples()]  # fmt: skip
        group = sel["group"].iloc[0]
        agrees[group] = agrees.get(group, 0) + bool(phase_summary(entries)[1])
    out = []
    for v in verdicts:
        k, n = agrees.get(v["group"], 0), v["seeds"]
        text = re.sub(r"correspondence in \d+/\d+ seeds", f"correspondence in {k}/{n} seeds",
                      v["text"])  # fmt: skip
        out.append({**v, "paper_agrees": k, "text": text, "correspondence": "per checkpoint"})
    return out


def rejudge_main(argv: list[str]) -> int:
    import pandas as pd

    if len(argv) != 2:
        print(f"usage: bumpdiff evidence {USAGE['rejudge']}", file=sys.stderr)
        return 2
    path = Path(argv[0])
    result = rejudge(json.loads(path.read_text()), pd.read_parquet(argv[1]))
    path.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps({v["group"]: v["paper_agrees"] for v in result}))
    return 0


def write_calibration(result: dict, out: Path) -> None:
    """The summary as JSON, its cases (a row per checkpoint, t and layer) as Parquet beside it."""
    import pandas as pd

    cases = out.with_name(out.stem + "-cases.parquet")
    pd.DataFrame(result["cases"]).to_parquet(cases, index=False)
    summary = {k: v for k, v in result.items() if k != "cases"} | {"cases": cases.name}
    out.write_text(json.dumps(summary, indent=1) + "\n")


def trajectory_calibration_main(argv: list[str]) -> int:
    from bumpdiff.analysis.trajectory_calibration import calibrate

    if len(argv) not in (2, 3):
        print(f"usage: bumpdiff evidence {USAGE['trajectory-calibration']}", file=sys.stderr)
        return 2
    try:
        t = [int(v) for v in argv[2].split(",")] if len(argv) == 3 else None
    except ValueError:
        print(
            f"error: T: must be integers separated by commas, got {argv[2][:80]!r}", file=sys.stderr
        )
        return 2
    try:
        result = calibrate(RunFolder(Path(argv[1])), t=t)
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    write_calibration(result, Path(argv[0]))
    print(json.dumps({k: result[k] for k in ("min_learned", "bootstrap_se", "phase_counts")}))
    return 0


def design_power_main(argv: list[str]) -> int:
    from bumpdiff.experiments.design_power import choose_design

    named = dict(a.split("=", 1) for a in argv[2:] if "=" in a)
    if len(argv) < 3 or len(named) != len(argv) - 2:
        print(f"usage: bumpdiff evidence {USAGE['design-power']}", file=sys.stderr)
        return 2
    paths = {name: value.split(",", 1) for name, value in named.items()}
    try:
        prior = json.loads(Path(argv[1]).read_text())
        designs = {name: json.loads(Path(p[0]).read_text()) for name, p in paths.items()}
        coupled = {n: json.loads(Path(p[1]).read_text()) for n, p in paths.items() if len(p) > 1}
        result = choose_design(prior, designs, coupled=coupled)
    except (OSError, ValueError) as err:
        print(f"error: {getattr(err, 'filename', None) or 'file'}: {err}", file=sys.stderr)
        return 2
    Path(argv[0]).write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps({r["design"]: r["seeds_needed"] for r in result["designs"]}))
    return 0


def _pilot_and_config(argv: list[str], tool: str):
    """A power tool's pilot summary (JSON) and the config it plans, read from OUT PILOT CONFIG;
    None (the usage or the error said in one line) when they cannot be read."""
    from bumpdiff.config import load_config

    if len(argv) != 3:
        print(f"usage: bumpdiff evidence {USAGE[tool]}", file=sys.stderr)
        return None
    try:
        return json.loads(Path(argv[1]).read_text()), load_config(argv[2])
    except (OSError, ValueError) as err:
        print(f"error: {getattr(err, 'filename', None) or 'file'}: {err}", file=sys.stderr)
        return None


def percolation_power_main(argv: list[str]) -> int:
    from bumpdiff.analysis.pipeline import eval_conditions
    from bumpdiff.experiments.design_power import finite_or_none
    from bumpdiff.experiments.percolation_onset import design_power

    read = _pilot_and_config(argv, "percolation-power")
    if read is None:
        return 2
    pilot, cfg = read
    p = cfg.percolation
    images = len(eval_conditions(cfg)) * cfg.sample.draws
    rows = design_power(pilot, p.fractions, len(p.seeds), images, p.onset)
    rows = [{k: finite_or_none(v) for k, v in r.items()} for r in rows]
    design = {"config": argv[2], "pilot": argv[1], "fractions": p.fractions,
              "seeds": len(p.seeds), "images": images, "onset": p.onset, "z": 3.0}  # fmt: skip
    Path(argv[0]).write_text(json.dumps({"design": design, "widths": rows}, indent=1) + "\n")
    print(json.dumps({str(r["sigma"]): r["onset_se"] for r in rows}))
    return 0


def efficiency_power_main(argv: list[str]) -> int:
    from bumpdiff.analysis.pipeline import eval_conditions
    from bumpdiff.config.followup import EFFICIENCY_DATASETS
    from bumpdiff.experiments.efficiency import member_config
    from bumpdiff.experiments.efficiency_stats import MIN_CANVASES, exponent_power

    read = _pilot_and_config(argv, "efficiency-power")
    if read is None:
        return 2
    if "members" not in read[0]:
        print(f"error: {argv[1]}: not an efficiency.json (no members)", file=sys.stderr)
        return 2
    pilot, cfg = read[0]["members"], read[1]
    e = cfg.efficiency
    evaluated = {  # images per seed where a pilot row does not say: this config's lattice
        n: len(eval_conditions(member_config(cfg, "bumps", n, 1.0, 0))) * cfg.sample.draws
        for n in {r["size"] for r in pilot}
    }
    sizes = {dataset: e.sizes_of(dataset) for dataset in EFFICIENCY_DATASETS}
    rows = exponent_power(pilot, sizes, len(e.seeds), e.target, evaluated)
    design = {"config": argv[2], "pilot": argv[1], "sizes": e.sizes, "fractions": e.fractions,
              "seeds": len(e.seeds), "target": e.target, "z": 3.0,
              "min_canvases": MIN_CANVASES}  # fmt: skip
    Path(argv[0]).write_text(json.dumps({"design": design, "datasets": rows}, indent=1) + "\n")
    print(json.dumps({k: v["exponent_se"] for k, v in rows.items()}))
    return 0


def _pool_shards(argv: list[str]) -> int:
    from bumpdiff.experiments.shards import pool_shards_main

    return pool_shards_main(argv)


TOOLS = {
    "design-power": design_power_main,
    "efficiency-power": efficiency_power_main,
    "percolation-power": percolation_power_main,
    "pool-shards": _pool_shards,
    "compare": compare_main,
    "agreement": agreement_main,
    "pool-samplers": pool_main,
    "sampler-se": se_main,
    "trajectory-calibration": trajectory_calibration_main,
    "rejudge": rejudge_main,
}
