"""Where the demo's time goes, from its run folder: the training's own seconds, and per checkpoint
the seconds spent sampling the evaluation images and probing (capture and metrics), with the
end-to-end time from a bench file. The core-seconds of work over the cores bound any schedule.

python benchmarks/demo_timeline.py RUN BENCH.json OUT.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bumpdiff.store.runfolder import RunFolder


def timeline(run: RunFolder, bench: dict) -> dict:
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


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
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


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
