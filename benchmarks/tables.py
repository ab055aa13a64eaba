"""Print the sampler table of benchmark JSON files as Markdown (for benchmarks/README.md).

python benchmarks/tables.py benchmarks/cpu-2core.json [more.json …]
"""

import json
import sys
from pathlib import Path

from bumpdiff.bench import sampler_table

if __name__ == "__main__":
    for path in sys.argv[1:]:
        result = json.loads(Path(path).read_text())
        print(f"### {path}\n\n{sampler_table(result)}\n")
