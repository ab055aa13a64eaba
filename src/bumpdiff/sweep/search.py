"""The 32 x 32 preset's network search, read from its sweep (configs/sweeps/scale32-search.yaml):
per candidate, what a training step costs, how accuracy grew along training and whether the
behaviour went through the stages; the preset takes the cheapest that reaches the target with its
stages in order. Pure reading of analysed run folders; ``search_main`` writes the evidence file
(``bumpdiff evidence scale-search OUT.json SWEEP_DIR [TARGET]``)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from bumpdiff.config import ConfigError
from bumpdiff.store.runfolder import RunFolder
from bumpdiff.sweep.aggregate import behaviour_path, stage_onsets

USAGE = "scale-search OUT.json SWEEP_DIR [TARGET]"


def seconds_per_step(rows) -> float | None:
    """The median of a run's training seconds per step between consecutive ``train`` rows (a row's
    ``seconds`` counts from the start of training; pauses for checkpoints and resumed processes
    make a few gaps long, which the median ignores); None with fewer than two rows."""
    rates = [
        (b.seconds - a.seconds) / (b.step - a.step)
        for a, b in zip(rows, rows[1:])
        if b.step > a.step and b.seconds > a.seconds
    ]
    return float(np.median(rates)) if rates else None


def member_summary(run: RunFolder, target: float) -> dict:
    """One candidate: its parameters, config of the network, seconds per training step, threads,
    the EMA of its weights (0: none), accuracy and dominant outcome per checkpoint, the first
    checkpoint at ``target`` accuracy (and its training seconds at the measured rate), the stage
    onsets and the behaviour's path."""
    cfg = run.read_config([])
    entries = run.read_phases()
    if not entries:
        raise ConfigError(f"scale-search: {run.phases_path} lists no checkpoint")
    start = run.read_metrics("start")
    rate = seconds_per_step(run.read_metrics("train"))
    reached = next((e.step for e in entries if e.accuracy >= target), None)
    return {
        "model": cfg.model.model_dump(),
        "parameters": start[0].parameters if start else None,
        "threads": cfg.train.threads,
        "ema": cfg.train.ema,
        "seconds_per_step": rate,
        "steps_trained": entries[-1].step,
        "curve": [{"step": e.step, "accuracy": e.accuracy, "phase": e.phase} for e in entries],
        "final_accuracy": entries[-1].accuracy,
        "first_step_at_target": reached,
        "training_seconds_to_target": None if reached is None or rate is None else reached * rate,
        "stage_onsets": stage_onsets(entries),
        "behaviour_path": behaviour_path([e.fractions for e in entries]),
    }


def choose(members: dict[str, dict]) -> str | None:
    """The cheapest candidate (seconds per step) that reached the target and whose behaviour went
    multiple → mislocated → correct; None if none did."""
    good = [
        (m["seconds_per_step"], name)
        for name, m in members.items()
        if m["first_step_at_target"] is not None
        and m["behaviour_path"] == "in order"
        and m["seconds_per_step"] is not None
    ]
    return min(good)[1] if good else None


def search(sweep_dir: Path, target: float = 0.9) -> dict:
    """Every analysed member of the search sweep (sub-folders with a phases.json) summarised, the
    candidate chosen, and the members not analysed yet (``unfinished``: started, no phases.json)."""
    folders = sorted(p for p in sweep_dir.iterdir() if (p / "config.yaml").is_file())
    done = [p for p in folders if RunFolder(p).phases_path.is_file()]
    if not done:
        raise ConfigError(f"scale-search: {sweep_dir} holds no analysed run folder (phases.json)")
    members = {p.name: member_summary(RunFolder(p), target) for p in done}
    unfinished = [p.name for p in folders if p not in done]
    return {"sweep": str(sweep_dir), "target": target, "members": members,
            "chosen": choose(members), "unfinished": unfinished}  # fmt: skip


def search_main(argv: list[str]) -> int:
    """``bumpdiff evidence scale-search OUT.json SWEEP_DIR [TARGET]``."""
    if len(argv) not in (2, 3):
        raise ConfigError(f"evidence: usage: {USAGE}")
    try:
        target = float(argv[2]) if len(argv) == 3 else 0.9
    except ValueError:
        raise ConfigError(f"evidence: TARGET {argv[2]!r} is not a number in (0, 1]") from None
    if not 0 < target <= 1:
        raise ConfigError(f"evidence: TARGET {target} is not in (0, 1]")
    sweep_dir = Path(argv[1])
    if not sweep_dir.is_dir():
        raise ConfigError(f"evidence: SWEEP_DIR {sweep_dir} is not a folder")
    result = {"command": "bumpdiff evidence scale-search " + " ".join(argv)}
    result |= search(sweep_dir, target)
    Path(argv[0]).write_text(json.dumps(result, indent=1) + "\n")
    print(f"chosen: {result['chosen']}")
    return 0
