"""Markdown tables of committed results, for README.md (which a test checks against them);
``bumpdiff tables KIND FILE`` prints them:

bumpdiff tables phases results/quick/phases.json     # the demo's phase ↔ outcome table and verdict
bumpdiff tables compare results/quick/clip.json      # runs side by side, per checkpoint
bumpdiff tables sweep results/sweeps/quick-seeds/verdicts.json  # a sweep's verdicts
bumpdiff tables answer results/sweeps/screen/verdicts.json      # the screen's answer
bumpdiff tables sentences results/torus/torus.json   # a follow-up study's sentences
bumpdiff tables scale-search results/scale32/search.json  # the 32 x 32 network search
"""

from __future__ import annotations

from bumpdiff.report.followup_designs import efficiency_design, percolation_design

OUTCOMES = ("none", "multiple", "mislocated", "correct")
CONTROLS = [  # (key in phases.json "controls", row label)
    ("encoder_trustworthiness", "encoder alone: trustworthiness"),
    ("encoder_cka", "probed layer ~ encoder (CKA)"),
    ("placement_trustworthiness", "placement probe: μ-means trustworthiness"),
    ("readout_at_condition", "x̂₀ readout: bump moved to μ"),
    ("readout_at_condition_t250", "x̂₀ readout at t = 250"),
    ("readout_at_condition_t750", "x̂₀ readout at t = 750"),
]


def phases_table(entries: list[dict]) -> str:
    """One column per checkpoint: the phase of the representation and the outcome fractions."""
    steps = [str(e["step"]) for e in entries]
    lines = [
        "| step | " + " | ".join(steps) + " |",
        "|---|" + "---|" * len(steps),
        "| phase (checkpoint) | " + " | ".join(e["phase"] for e in entries) + " |",
    ]
    if all(e.get("layer_phase") for e in entries):
        lines.append(
            "| phase (layer alone) | " + " | ".join(e["layer_phase"] for e in entries) + " |"
        )
        cells = [_two(e["probe"].get("reliability")) for e in entries]
        lines.append("| layer: reliability of the means | " + " | ".join(cells) + " |")
        cells = [f"{e['probe'].get('reliable_dims', 0):.0f}" for e in entries]
        lines.append("| layer: reliable components | " + " | ".join(cells) + " |")
    for outcome in OUTCOMES:
        cells = [f"{100 * e['fractions'][outcome]:.0f} %" for e in entries]
        lines.append(f"| {outcome} | " + " | ".join(cells) + " |")
    if all(e.get("raised") is not None for e in entries):
        cells = [f"{100 * e['raised']:.0f} %" for e in entries]
        lines.append("| raised background | " + " | ".join(cells) + " |")
    if all("trustworthiness" in e.get("behaviour", {}) for e in entries):
        cells = [_two(e["behaviour"]["trustworthiness"]) for e in entries]
        lines.append("| generated positions: trustworthiness | " + " | ".join(cells) + " |")
        cells = [_two(e["probe"]["trustworthiness"]) for e in entries]
        lines.append(
            "| probed layer: trustworthiness (reliable means) | " + " | ".join(cells) + " |"
        )
    for key, label in CONTROLS:
        if all(key in e.get("controls", {}) for e in entries):
            cells = [_two(e["controls"][key]) for e in entries]
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
    if all(e.get("trajectory") for e in entries):
        lines += trajectory_rows(entries)
    return "\n".join(lines)


def trajectory_rows(entries: list[dict]) -> list[str]:
    """The trajectory probe's rows: its phase, the largest learned order (trained minus the
    highest control) against the condition and against where the bump ended up, over the
    captured steps, and the step from which x̂₀ holds the final place and the condition."""

    def best(e: dict, key: str) -> str:
        values = [s[key] for s in e["trajectory"] if s.get(key) is not None]
        return _two(max(values)) if values else "–"

    def when(value) -> str:
        return "–" if value is None else str(value)

    rows = [("phase (trajectory probe)", [e["trajectory_phase"] for e in entries])]
    rows.append(("trajectory: learned order vs μ (max over t)",
                 [best(e, "learned_condition") for e in entries]))  # fmt: skip
    rows.append(("trajectory: learned order vs generated place (max over t)",
                 [best(e, "learned_generated") for e in entries]))  # fmt: skip
    rows.append(("x̂₀ holds the final place from t",
                 [when(e.get("decided_t_generated")) for e in entries]))  # fmt: skip
    rows.append(("x̂₀ holds the condition from t",
                 [when(e.get("decided_t_condition")) for e in entries]))  # fmt: skip
    return [f"| {label} | " + " | ".join(cells) + " |" for label, cells in rows]


def _two(value) -> str:
    return "–" if value is None or value != value else f"{value:.2f}"  # None or NaN: –


def phases_verdict(entries: list[dict]) -> str:
    """The report's sentence on the paper's phase ↔ outcome correspondence, from the same file."""
    from bumpdiff.probe.correspondence import phase_summary
    from bumpdiff.store.records import PHASE_ENTRIES

    return phase_summary(PHASE_ENTRIES.validate_python(entries))[2]


def compare_table(result: dict) -> str:
    """Per checkpoint and outcome, each run's fraction (runs as in ``result["runs"]``)."""
    names = list(result["runs"])
    lines = [
        "| step | " + " | ".join(f"{o}: {' / '.join(names)}" for o in OUTCOMES) + " |",
        "|---|" + "---|" * len(OUTCOMES),
    ]
    for row in result["steps"]:
        cells = [
            " / ".join(f"{100 * row[name][o]:.0f}" for name in names if name in row)
            for o in OUTCOMES
        ]
        lines.append(f"| {row['step']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def sweep_verdicts(verdicts: list[dict]) -> str:
    """The README's lines for a sweep: each setting's verdict over its seeds
    (``bumpdiff aggregate``'s verdicts.json)."""
    return "\n".join(f"- {v['text']}" for v in verdicts)


def _tally(timings: list[str]) -> str:
    order = ("coincides", "leads", "lags", "n/a")
    return ", ".join(f"{k} in {timings.count(k)}" for k in order if k in timings)


def _mislocated_steps(onsets: list[dict]) -> list[int]:
    """Per seed: steps from the first checkpoint a mislocated bump dominates to the first the
    correct one does (seeds with both)."""
    return [
        o["correct"] - o["mislocated"]
        for o in onsets
        if o["mislocated"] is not None and o["correct"] is not None
    ]


def _why_not(verdict: dict) -> str:
    """The other seeds' paths, e.g. "; no correct by the end in 3" (empty for a verdicts.json
    written before the aggregate recorded them)."""
    paths = [p for p in verdict.get("behaviour_paths", []) if p != "in order"]
    return "".join(f"; {p} in {paths.count(p)}" for p in sorted(set(paths)))


def sweep_answer(verdicts: list[dict]) -> str:
    """The README's answer from a sweep's verdicts.json: in which settings and how many seeds
    the behaviour went multiple → mislocated → correct, how long the mislocated stage lasted,
    and whether the layer's B and C led, coincided with or lagged the matching stage."""
    seeds = sum(v["seeds"] for v in verdicts)
    every = [v["group"] for v in verdicts if v["behaviour_in_order"] == v["seeds"]]
    some = [
        f"{v['group']} ({v['behaviour_in_order']}/{v['seeds']}{_why_not(v)})"
        for v in verdicts
        if v["behaviour_in_order"] < v["seeds"]
    ]
    lasts = []
    for v in verdicts:
        steps = sorted(_mislocated_steps(v["onsets"]))
        if steps:
            span = f"{steps[0]}–{steps[-1]}" if steps[0] != steps[-1] else f"{steps[0]}"
            lasts.append(f"{v['group']} {span}")
    agree = sum(v["paper_agrees"] for v in verdicts)
    c = [t for v in verdicts for t in v["layer_c_timing"]]
    b = [t for v in verdicts for t in v.get("layer_b_timing", [])]
    lines = [
        f"Multiple → mislocated → correct in every seed: {len(every)} of {len(verdicts)} "
        f"settings ({', '.join(every) or 'none'}); not in every seed: {', '.join(some) or 'none'}.",
        "Steps from the first checkpoint a mislocated bump dominates to the first the correct "
        f"one does (range over seeds): {'; '.join(lasts) or 'no seed had both'}.",
        f"The layer's C against the correct bump's takeover, over all {seeds} runs: "
        f"{_tally(c)}; its B against the mislocated stage: {_tally(b) or 'not recorded'}; the "
        f"paper's phase ↔ outcome correspondence in {agree} of {seeds} runs.",
    ]
    return "\n".join(f"- {line}" for line in [*lines, *_order_line(verdicts)])


def _span(values: list[float]) -> str:
    lo, hi = f"{min(values):.2f}", f"{max(values):.2f}"
    return lo if lo == hi else f"{lo}–{hi}"


def _order_line(verdicts: list[dict]) -> list[str]:
    """Whether the mislocated stage's positions are disordered: their order against the null of
    positions unrelated to the conditions, and against the correct stage's (empty for a
    verdicts.json written before the aggregate measured it)."""
    have = [v for v in verdicts if v.get("order_by_stage")]
    mis = [v for v in have if v["order_by_stage"]["mislocated"] is not None]
    correct = [v["order_by_stage"]["correct"] for v in have]
    if not mis:
        return []
    order = {v["group"]: v["order_by_stage"]["mislocated"] for v in mis}
    nulls = {v["group"]: v["order_null"] for v in mis}
    above = [g for g in order if order[g] > nulls[g]["p95"]]
    named = "".join(f"; above it: {g} ({order[g]:.3f} > {nulls[g]['p95']:.3f})" for g in above)
    return [
        "Order of the generated positions (median trustworthiness over the checkpoints a stage "
        f"dominates): while one mislocated bump dominates {_span(list(order.values()))}, within "
        "the 95 % range of positions unrelated to the conditions (median "
        f"{_span([n['median'] for n in nulls.values()])}, 95 % below "
        f"{_span([n['p95'] for n in nulls.values()])}) in {len(mis) - len(above)} of {len(mis)} "
        f"settings{named}; while the correct bump dominates "
        f"{_span([c for c in correct if c is not None])}."
    ]


def summary_sentences(data: dict) -> str:
    """The computed sentences of a follow-up study's summary (percolation.json, torus.json,
    compose.json, interpolate.json, efficiency.json), one README bullet each, emphasis kept."""
    found = data["sentences"] if "sentences" in data else data["result"]["sentences"]
    return "\n".join(f"- {line}" for line in found)


def trajectory_answer(verdicts: list[dict]) -> str:
    """The README's answer to "is the seed paper's B a learned representation, or the generated
    bump leaking through the input?" from a sweep's verdicts.json: each setting's reading of its
    seeds' mislocated stage by the trajectory probe (sweep/aggregate_trajectory.py), one bullet
    each; settings without the probe are left out."""
    lines = [v["trajectory"]["text"] for v in verdicts if v.get("trajectory")]
    return "\n".join(f"- {line}" for line in lines) or "(no setting carried the trajectory probe)"


def trajectory_power(cal: dict) -> str:
    """The power of the trajectory reading, from its calibration file
    (analysis/trajectory_calibration.py): what the null layers reach, and from which share of
    the variance a layer holding the generated place is called B or C."""
    counts = cal["phase_counts"]
    detected = []
    for share in cal["settings"]["shares"]:
        found = counts.get(f"generated@{share}", {})
        called, total = found.get("B", 0) + found.get("C", 0), sum(found.values())
        power = cal["positives"][f"generated@{share}"]["median_above_threshold_se"]
        detected.append(f"{share:.0%}: {called}/{total}, {power:.1f} SE")
    return (
        f"Power (`results/quick/trajectory-calibration.json`): no null layer (untrained networks "
        f"and weight-shuffled copies of other seeds, a random map of the pixels) reaches the "
        f"threshold {cal['min_learned']:g} at any checkpoint or t (their largest bootstrap low "
        f"{cal['null_max_low']:.3f}; bootstrap s.e. {cal['bootstrap_se']:.3f}); a layer holding "
        f"features of the generated place, by their share of its variance: the checkpoints "
        f"called B or C, and its median learned part in standard errors above the threshold: "
        f"{'; '.join(detected)}."
    )


def mechanisms_answers(data: dict) -> str:
    """The answers of one run's dynamics.json (``bumpdiff dynamics``), one bullet each, with the
    run's seed, kept fraction λ and last checkpoint."""
    last = data["steps"][-1]["step"] if data["steps"] else "–"
    run = f"seed {data.get('seed', 0)}, λ = {data.get('keep_fraction', 1.0):g}"
    return "\n".join(
        f"- {a['question']} **{a['answer']}** ({run}; {len(data['steps'])} checkpoints to step "
        f"{last}). {a['sentence']}"
        for a in data.get("answers", [])
    )


def coupling_design(design: dict) -> str:
    """The power analysis of the coupling designs (design.json, experiments/design_power.py):
    per design its two predictions of the 2D log step ratio with their standard errors and the
    2D seeds that tell them apart by ``z`` standard errors, one bullet each."""
    lines = []
    for d in design["designs"]:
        apart = (f"{d['seeds_needed']} seeds of 2D runs tell them apart by {design['z']:g} "
                 "standard errors" if d.get("seeds_needed") else
                 f"no number of 2D seeds up to {design['max_seeds']} tells them apart by "
                 f"{design['z']:g} standard errors")  # fmt: skip
        axis = max("xy", key=lambda a: d.get(f"blind_{a}", 0.0))
        blind = d.get(f"blind_{axis}", 0.0)
        need = (f"{apart}: **chosen**" if d["decidable"] else
                f"{apart}, but a generator blind to {axis}'s condition is right on {axis} in "
                f"{blind:.0%} of images at its tolerance (its step needs no condition): **not "
                "decidable**" if d.get("conditional") is False else
                f"{apart}: **not decidable**")  # fmt: skip
        balanced = ("the balanced data read alike" if d.get("coupled_from") ==
                    "own balanced study" else "the balanced data")  # fmt: skip
        lines.append(
            f"- {d['design']}: log(step x / step y) predicted {_pm(d, 'coupled')} if coupled ("
            f"{balanced}), {_pm(d, 'factorized')} if factorized (each axis alone, "
            f"{d['reached']} of {d['seeds']} seeds); {need}."
        )
    return "\n".join(lines)


def _pm(d: dict, key: str) -> str:
    value, se = d.get(key), d.get(f"{key}_se")
    return "n/a" if value is None else f"{value:+.2f} ± {se:.2f}"


def coupling_pooled(verdicts: list[dict]) -> str:
    """A coupling sweep's verdicts pooled over its seeds (aggregate/coupling-verdicts.json,
    sweep/aggregate_coupling.py): one bullet per setting and dataset."""
    return "\n".join(f"- {v['text']}" for v in verdicts)


def torus_over_seeds(verdicts: list[dict]) -> str:
    """A torus sweep's verdicts over seeds beyond the controls (aggregate/torus-verdicts.json,
    sweep/aggregate_torus.py): one bullet per setting and representation."""
    return "\n".join(f"- {r['text']}" for v in verdicts for r in v["representations"].values())


def scale_search(data: dict) -> str:
    """A network search's candidates (sweep/search.py): one bullet each with its size, training,
    last accuracy and whether it reached the target, then the candidate chosen."""
    lines = []
    for name, m in data["members"].items():
        rate = m["seconds_per_step"]
        speed = f", {rate:.2f} s per step" if rate is not None else ""
        ema = f", EMA {m['ema']:g}" if m.get("ema") else ""
        ema += f", embedding {m['model']['embed_dim']}" if m["model"].get("embed_dim") else ""
        at = m["first_step_at_target"]
        seconds = m.get("training_seconds_to_target")
        minutes = f", after {seconds / 60:.0f} min of training" if seconds is not None else ""
        reached = (f"{data['target']:.0%} first at step {at}{minutes}" if at is not None
                   else f"{data['target']:.0%} not reached")  # fmt: skip
        lines.append(
            f"- {name}: channels {m['model']['channels']}, {m['parameters']:,} parameters"
            f"{ema}; {m['steps_trained']} steps on {m['threads']} thread(s){speed}: "
            f"{m['final_accuracy']:.0%} correct at the last checkpoint ({reached}); behaviour "
            f"{m['behaviour_path']}."
        )
    chosen = data["chosen"] or f"none (no candidate reached {data['target']:.0%} in order)"
    return "\n".join([*lines, f"- chosen: {chosen}."])


SEED_COUNTS = {
    "behaviour_in_order": "behaviour multiple → mislocated → correct",
    "paper_agrees": "the layer's phases matching the behaviour as the paper says",
}


EXPLORED_COUNTS = {
    "trajectory_learned": "(after the run, outside the design's family) the mislocated stage read "
    "as a learned B along each generation, of the seeds that have one",
}


def _seeds_power_line(field: str, row: dict) -> str:
    """One line: the reference's count and which of the other sweep's counts would differ."""
    (k_ref, n_ref), n = row["reference"], row["seeds"]
    ps = {r["count"]: r["p"] for r in row["outcomes"]}
    if not row["different"]:
        tell = f"no count of {n} seeds would differ (p < {row['alpha']:g}): the design cannot tell"
    else:
        said = ", ".join(f"{k}/{n} (p = {ps[k]:.3f})" for k in row["different"])
        tell = f"a change (p < {row['alpha']:g}) only at {said}"
    label = SEED_COUNTS.get(field) or EXPLORED_COUNTS[field]
    line = f"- {label}, reference {k_ref}/{n_ref}: {tell}"
    if "observed" in row:
        k = row["observed"]
        answer = "different" if ps[k] < row["alpha"] else "no change shown"
        line += f"; observed {k}/{n} (p = {ps[k]:.3f}): **{answer}**"
    return line + "."


def seeds_power_lines(data: dict) -> str:
    """A seeds-power file (sweep/seeds_power.py): one line per count of a sweep's verdicts."""
    rows = [*data["counts"].items(), *data.get("exploratory", {}).items()]
    return "\n".join(_seeds_power_line(f, r) for f, r in rows)


KINDS = {  # kind → the text printed for one file's JSON
    "phases": lambda data: f"{phases_table(data)}\n\n{phases_verdict(data)}",
    "seeds-power": seeds_power_lines,
    "compare": compare_table,
    "sweep": sweep_verdicts,
    "answer": sweep_answer,
    "trajectory": trajectory_answer,
    "trajectory-power": trajectory_power,
    "sentences": summary_sentences,
    "mechanisms": mechanisms_answers,
    "coupling-design": coupling_design,
    "coupling-pooled": coupling_pooled,
    "torus": torus_over_seeds,
    "percolation-design": percolation_design,
    "efficiency-design": efficiency_design,
    "scale-search": scale_search,
}
