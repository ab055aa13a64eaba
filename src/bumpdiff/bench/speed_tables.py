"""Markdown tables of benchmark JSON files (for README.md and benchmarks/README.md).

bumpdiff tables samplers benchmarks/cpu-2core-samplers512.json [more.json …]
bumpdiff tables speed benchmarks/cpu-2core-speed.json          # README's performance rows
bumpdiff tables sweep-scaling benchmarks/cpu-2core-sweep.json  # README's sweep-scaling row
bumpdiff tables verdicts results/samplers/coupled-study.json   # README's sampler line
bumpdiff tables scale benchmarks/cpu-2core-profile-paper.json  # a preset's profile or speed-ups

The sampler table reads the samplers experiment's ``samplers.json`` (``rows``) and the older bench
files (``sampling``) alike.
"""

from __future__ import annotations

from bumpdiff.diffusion.sampling import name_of
from bumpdiff.experiments.samplers_stats import choice_sentence, choose_sampler, sampler_table
from bumpdiff.store.records import SamplerRow


def speed_rows(result: dict) -> str:
    """The README's performance rows from a ``bumpdiff bench`` file (speed only)."""
    t = result["train"]
    lines = [
        f"| training, quick preset (batch {t['batch_size']}) | {t['images_per_s']:.0f} images/s; a "
        f"plain diffusers loop on the same model: {t['reference_images_per_s']:.0f} (ratio "
        f"{t['ratio']:.2f}) |",
        f"| model FLOP/s / fp32 matmul FLOP/s (MFU) | {t['achieved_flops'] / 1e9:.0f} / "
        f"{t['matmul_flops'] / 1e9:.0f} GFLOP/s = {t['mfu']:.2f} |",
    ]
    if "train_profile" in result:
        lines.append(_profile_row("where a training step's time goes", result["train_profile"]))
    if "sampling_profile" in result:
        prof = result["sampling_profile"]
        what = (
            f"where a sampling step's time goes ({prof['images']} images, one network call: "
            f"{prof['seconds_per_call']:.3f} s)"
        )
        lines.append(_profile_row(what, prof))
    if "frozen_sampling" in result:
        f = result["frozen_sampling"]
        same = "the same images bit for bit" if f["identical"] else "DIFFERENT images"
        same += "" if f.get("frozen", True) else "; NOT FROZEN: too few network calls"
        lines.append(
            f"| sampling with the network frozen (`frozen.py`), {f['images']} images, "
            f"{f['sampler'].upper()}: frozen / eager, side by side | {f['frozen_seconds']:.2f} s / "
            f"{f['eager_seconds']:.2f} s (ratio {f['ratio']:.2f}; {same}) |"
        )
    if "experiment_seconds" in result:
        lines.append(
            f"| quick phases experiment, end to end (every instrument on) | "
            f"{result['experiment_seconds']['seconds']:.0f} s |"
        )
    if "sampling" in result:
        cells = " / ".join(f"{r['seconds_per_image']:.3g}" for r in result["sampling"])
        names = " / ".join(f"{r['sampler'].upper()}-{r['steps']}" for r in result["sampling"])
        lines.append(f"| sampling, s per image (12×12, batches of 64): {names} | {cells} |")
    if "probe" in result:
        p = result["probe"]
        lines.append(
            f"| probe of one checkpoint ({p['rows']:,} inputs, {p['features']:,} features) | "
            f"{p['seconds']:.1f} s (capture {p['capture_seconds']:.1f} s) |"
        )
    return "\n".join(lines)


def _profile_row(what: str, prof: dict) -> str:
    kinds = ", ".join(
        f"{kind} {100 * share:.0f} %" for kind, share in prof["share_by_kind"].items()
    )
    return (
        f"| {what} (operators' own time, torch.profiler) | {kinds}; "
        f"{100 * prof['outside_operators_share']:.0f} % of the step outside operators |"
    )


def sweep_row(result: dict) -> str:
    """The README's sweep-scaling row from a bench file with a ``sweep`` part (``bumpdiff bench
    --only sweep``), or from that part alone."""
    result = result.get("sweep", result)
    return (
        f"| sweep of {result['members']} small members on local Ray: 1 worker / 2 workers | "
        f"{result['seconds_1_worker']:.0f} s / {result['seconds_2_workers']:.0f} s (speed-up "
        f"{result['speedup']:.2f}, efficiency {result['efficiency']:.2f}) |"
    )


def sampler_verdicts(rows: list[SamplerRow]) -> str:
    """The README's sampler line: every candidate's rule verdict, evidence and worst difference,
    most steps first, then the choice."""
    choice = choose_sampler(rows)
    parts = []
    for c in sorted(choice.candidates, key=lambda c: -c.steps):
        if c.evidence == "reference":
            continue
        name = name_of(c.sampler, c.steps, c.precision, "own", c.clip)
        parts.append(
            f"{name} {'passes' if c.passes else 'fails'}, {c.evidence} (worst "
            f"{100 * c.worst_fraction_diff:.1f} ± {100 * c.worst_fraction_se:.1f} points, "
            f"{c.worst_fraction_at})"
        )
    return "; ".join(parts) + ". " + choice_sentence(choice)


def _rows(result: dict) -> list[SamplerRow]:
    return [SamplerRow.model_validate(r) for r in result.get("rows", result.get("sampling"))]


def scale_rows(result: dict) -> str:
    """Rows of a bench file made on one preset with ``--only profile`` or ``--only speedups``:
    where a training step and a sampling call spend their time, and each faster variant's
    speed-ups with its output distance from fp32's (``bench/speedups.py``)."""
    m = result["machine"]
    head = f"{m['cpu']}, {m['threads']} thread(s)"
    lines = []
    if "train_profile" in result:
        prof = result["train_profile"]
        what = f"training step, {prof['seconds_per_step']:.2f} s ({head}): where its time goes"
        lines.append(_profile_row(what, prof))
    if "sampling_profile" in result:
        prof = result["sampling_profile"]
        what = (f"sampling call of {prof['images']} images, {prof['seconds_per_call']:.2f} s "
                f"({head}): where its time goes")  # fmt: skip
        lines.append(_profile_row(what, prof))
    part = result.get("speedups")
    for name, v in (part or {}).get("variants", {}).items():
        within = ("" if "tolerance" not in v else ", within" if v["within_tolerance"] else
                  ", NOT within")  # fmt: skip
        tol = f"{within} its tolerance {v['tolerance']:g}" if "tolerance" in v else ""
        lines.append(
            f"| {name} (batch {part['train_batch']}, {head}) | training step "
            f"{v['seconds_per_train_step']:.2f} s (×{v['train_speedup']:.2f} of fp32's speed), "
            f"sampling call {v['seconds_per_sampling_call']:.2f} s "
            f"(×{v['sampling_speedup']:.2f}); warm-up {v['warmup_seconds']:.0f} s; ε̂ moved by "
            f"{v['rms_diff_over_std']:.1e} of its spread (RMS){tol} |"
        )
    for name, why in (part or {}).get("skipped", {}).items():
        lines.append(f"| {name} | not measured: {why} |")
    return "\n".join(lines)


KINDS = {  # kind → the text printed for one file's JSON
    "samplers": lambda result: sampler_table(_rows(result)),
    "scale": scale_rows,
    "speed": speed_rows,
    "sweep-scaling": sweep_row,
    "verdicts": lambda result: sampler_verdicts(_rows(result)),
}
