"""The demo before and after a change, timed side by side on the same idle machine in one sitting
(runs alternated, e.g. before, after, after, before, so drift in the machine's speed hits both
alike): each run's wall time (from ``RUN.wall``, the seconds ``/usr/bin/time -f %e -o RUN.wall``
wrote) and where its time went (``demo_timeline.timeline``), the medians per side and each
side's ratio to "before". Sides besides "before" and "after" (any other label) are intermediate
versions, measured the same way.

The cells of benchmarks/README.md's table rows (all but the first column, which names each side
in words) are printed by ``python benchmarks/demo_side_by_side.py cells OUT.json``.

python benchmarks/demo_side_by_side.py OUT.json before=RUN[,RUN…] after=RUN[,RUN…] [LABEL=RUN…]
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

from demo_timeline import timeline

from bumpdiff.store.runfolder import RunFolder


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


def main(argv: list[str]) -> int:
    if argv[:1] == ["cells"] and len(argv) == 2:
        for side, row in cells(json.loads(Path(argv[1]).read_text())).items():
            print(f"{side}: {row}")
        return 0
    sides = dict(arg.split("=", 1) for arg in argv[1:] if "=" in arg)
    if len(argv) < 3 or len(sides) != len(argv) - 1 or not {"before", "after"} <= set(sides):
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    result = side_by_side({k: [Path(p) for p in v.split(",")] for k, v in sides.items()})
    Path(argv[0]).write_text(json.dumps(result, indent=1) + "\n")
    m = result["median_seconds"]
    print(
        f"before {m['before']:.0f} s, after {m['after']:.0f} s (median wall; after / before "
        f"{result['ratio_to_before']['after']:.2f})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
