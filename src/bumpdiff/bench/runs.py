"""Speed evidence made from finished runs (``bumpdiff evidence TOOL …``): nothing is trained or
sampled, each tool reads run folders or logs and writes one JSON file.

- ``demo-timeline``: where the demo's time goes, from its run folder: the training's own seconds,
  and per checkpoint the seconds spent sampling the evaluation images and probing (capture and
  metrics), with the end-to-end time from a bench file. The core-seconds of work over the cores
  bound any schedule;
- ``demo-side-by-side``: the demo before and after a change, timed side by side on the same idle
  machine in one sitting (runs alternated, e.g. before, after, after, before, so drift in the
  machine's speed hits both alike): each run's wall time (from ``RUN.wall``, the seconds
  ``/usr/bin/time -f %e -o RUN.wall`` wrote) and where its time went, the medians per side and
  each side's ratio to "before" (other labels are intermediate versions, measured the same way).
  ``demo-side-by-side cells OUT.json`` prints benchmarks/README.md's table cells;
- ``preset-wall``: the end-to-end wall time of a preset run started by hand, read from the run's
  own last line ("wall time N s; report: …"), beside the machine it ran on;
- ``trajectory-cost``: what the trajectory probe added to a run's analysis, from two runs of one
  config with and without it (and their wall times, from their logs).
"""

from __future__ import annotations

import json
import re
import statistics
import sys
from pathlib import Path

import torch

from bumpdiff.bench.machine import machine_info
from bumpdiff.config import ConfigError
from bumpdiff.store.runfolder import RunFolder

USAGE = {
    "demo-timeline": "demo-timeline RUN BENCH.json OUT.json",
    "demo-side-by-side": "demo-side-by-side OUT.json before=RUN[,RUN…] after=RUN[,RUN…] "
    "[LABEL=RUN…] | demo-side-by-side cells OUT.json",
    "preset-wall": 'preset-wall LOG PRESET "COMMAND" OUT [CONDITIONS]',
    "trajectory-cost": "trajectory-cost OUT.json RUN_WITH RUN_WITHOUT [LOG_WITH LOG_WITHOUT]",
}


def timeline(run: RunFolder, bench: dict) -> dict:
    """The run's training, sampling and probe seconds (per checkpoint too) beside the
    end-to-end time and cores of ``bench`` (a bench file's JSON)."""
    train = run.read_metrics("train")
    evals = run.latest_by_step("eval")
    probes = run.latest_by_step("probe")
    per_step = [
        {
            "step": step,
            "sampling_seconds": evals[step].seconds,
            "probe_seconds": probes[step].capture_seconds + probes[step].metrics_seconds,
        }
        for step in sorted(set(evals) & set(probes))
    ]
    training = max(r.seconds for r in train)
    sampling = sum(r["sampling_seconds"] for r in per_step)
    probing = sum(r["probe_seconds"] for r in per_step)
    cores = bench["machine"]["cores"]
    first = next(iter(evals.values()))
    return {
        "run": str(run.root),
        "end_to_end_seconds": bench["experiment_seconds"]["seconds"],
        "training_seconds": training,
        "sampling_seconds": sampling,
        "probe_seconds": probing,
        "sampler": f"{first.sampler}-{first.sampler_steps}",
        "cores": cores,
        "work_over_cores_seconds": (training + sampling + probing) / cores,
        "per_checkpoint": per_step,
    }


def timeline_main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(f"usage: bumpdiff evidence {USAGE['demo-timeline']}", file=sys.stderr)
        return 2
    result = timeline(RunFolder(Path(argv[0])), json.loads(Path(argv[1]).read_text()))
    Path(argv[2]).write_text(json.dumps(result, indent=1) + "\n")
    print(
        f"end to end {result['end_to_end_seconds']:.0f} s: training "
        f"{result['training_seconds']:.0f} s, sampling {result['sampling_seconds']:.0f} s "
        f"({result['sampler']}), probing "
        f"{result['probe_seconds']:.0f} s; the work over {result['cores']} cores is "
        f"{result['work_over_cores_seconds']:.0f} s"
    )
    return 0


def measure(run: Path, cores: int = 2) -> dict:
    """One run's wall time and its training, sampling and probe seconds (per checkpoint too)."""
    wall = float(Path(f"{run}.wall").read_text().split()[-1])
    bench = {"experiment_seconds": {"seconds": wall}, "machine": {"cores": cores}}
    return timeline(RunFolder(run), bench)


def side_by_side(sides: dict[str, list[Path]]) -> dict:
    """Every run of each side measured, the median wall per side and its ratio to before."""
    runs = {side: [measure(run) for run in paths] for side, paths in sides.items()}
    medians = {
        side: statistics.median(r["end_to_end_seconds"] for r in rows)
        for side, rows in runs.items()
    }
    return {
        "runs": runs,
        "median_seconds": medians,
        "ratio_to_before": {side: m / medians["before"] for side, m in medians.items()},
    }


def cells(result: dict) -> dict[str, str]:
    """Each side's table cells: its runs' wall seconds, their median, the median training /
    sampling / probe process-seconds, and the ratio of its median to before's."""
    out = {}
    for side, runs in result["runs"].items():
        walls = " and ".join(f"{r['end_to_end_seconds']:.0f}" for r in runs)
        parts = " / ".join(
            f"{statistics.median(r[f'{part}_seconds'] for r in runs):.0f}"
            for part in ("training", "sampling", "probe")
        )
        ratio = f"{result['ratio_to_before'][side]:.2f}".rstrip("0").rstrip(".")
        out[side] = f"| {walls} | {result['median_seconds'][side]:.0f} | {parts} | {ratio} |"
    return out


def side_by_side_main(argv: list[str]) -> int:
    if argv[:1] == ["cells"] and len(argv) == 2:
        for side, row in cells(json.loads(Path(argv[1]).read_text())).items():
            print(f"{side}: {row}")
        return 0
    sides = dict(arg.split("=", 1) for arg in argv[1:] if "=" in arg)
    if len(argv) < 3 or len(sides) != len(argv) - 1 or not {"before", "after"} <= set(sides):
        print(f"usage: bumpdiff evidence {USAGE['demo-side-by-side']}", file=sys.stderr)
        return 2
    result = side_by_side({k: [Path(p) for p in v.split(",")] for k, v in sides.items()})
    Path(argv[0]).write_text(json.dumps(result, indent=1) + "\n")
    m = result["median_seconds"]
    print(
        f"before {m['before']:.0f} s, after {m['after']:.0f} s (median wall; after / before "
        f"{result['ratio_to_before']['after']:.2f})"
    )
    return 0


def wall_seconds(log: str) -> float:
    """The last "wall time N s" of a run's log; a one-line error when the run did not finish."""
    found = re.findall(r"wall time (\d+(?:\.\d+)?) s", log)
    if not found:
        raise ConfigError("LOG: no 'wall time N s' line: the run did not finish")
    return float(found[-1])


def preset_wall_main(argv: list[str]) -> int:
    if len(argv) not in (4, 5):
        print(f"usage: bumpdiff evidence {USAGE['preset-wall']}", file=sys.stderr)
        return 2
    log, preset, command, out = argv[:4]
    result = {
        "preset": preset,
        "command": command,
        "wall_seconds": wall_seconds(Path(log).read_text()),
        "conditions": argv[4] if len(argv) > 4 else "",
        "machine": machine_info(torch.device("cpu")),
    }
    Path(out).write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))
    return 0


def trajectory_cost(with_probe: RunFolder, without: RunFolder) -> dict:
    """What the trajectory probe added to an analysis, from two runs of one config with and
    without it: per checkpoint the sampling seconds of each (the probe samples eagerly) and the
    probe's own seconds; their totals in process-seconds."""
    a, b = with_probe.latest_by_step("eval"), without.latest_by_step("eval")
    rows = [
        {"step": k, "sampling_with": a[k].seconds, "sampling_without": b[k].seconds,
         "probe": a[k].trajectory_seconds or 0.0}
        for k in sorted(set(a) & set(b))
    ]  # fmt: skip
    sampling = sum(r["sampling_with"] - r["sampling_without"] for r in rows)
    probe = sum(r["probe"] for r in rows)
    return {
        "with": str(with_probe.root),
        "without": str(without.root),
        "checkpoints": len(rows),
        "added_sampling_seconds": sampling,
        "probe_seconds": probe,
        "added_process_seconds": sampling + probe,
        "per_checkpoint": rows,
    }


def trajectory_cost_main(argv: list[str]) -> int:
    if len(argv) not in (3, 5):
        print(f"usage: bumpdiff evidence {USAGE['trajectory-cost']}", file=sys.stderr)
        return 2
    result = trajectory_cost(RunFolder(Path(argv[1])), RunFolder(Path(argv[2])))
    if len(argv) == 5:
        result["wall_seconds_with"] = wall_seconds(Path(argv[3]).read_text())
        result["wall_seconds_without"] = wall_seconds(Path(argv[4]).read_text())
    result["machine"] = machine_info(torch.device("cpu"))
    Path(argv[0]).write_text(json.dumps(result, indent=1) + "\n")
    print(
        f"the trajectory probe added {result['added_process_seconds']:.0f} process-seconds over "
        f"{result['checkpoints']} checkpoints (sampling {result['added_sampling_seconds']:.0f}, "
        f"its own measures {result['probe_seconds']:.0f})"
    )
    return 0


TOOLS = {
    "trajectory-cost": trajectory_cost_main,
    "demo-timeline": timeline_main,
    "demo-side-by-side": side_by_side_main,
    "preset-wall": preset_wall_main,
}
