"""The end-to-end wall time of a preset run started by hand, read from the run's own last line
("wall time N s; report: ..."), as benchmark JSON beside the machine it ran on. For runs made
with `bumpdiff bench --config PRESET --only experiment` the bench JSON already holds it.

python benchmarks/preset_wall.py LOG PRESET "COMMAND" OUT [CONDITIONS]
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import torch

from bumpdiff.bench.suite import machine_info


def wall_seconds(log: str) -> float:
    found = re.findall(r"wall time (\d+(?:\.\d+)?) s", log)
    if not found:
        raise SystemExit("LOG: no 'wall time N s' line: the run did not finish")
    return float(found[-1])


if __name__ == "__main__":
    log, preset, command, out = sys.argv[1:5]
    result = {
        "preset": preset,
        "command": command,
        "wall_seconds": wall_seconds(Path(log).read_text()),
        "conditions": sys.argv[5] if len(sys.argv) > 5 else "",
        "machine": machine_info(torch.device("cpu")),
    }
    Path(out).write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))
