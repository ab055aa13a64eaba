"""Print the sampler table of sampler-study JSON files as Markdown (for benchmarks/README.md).

python benchmarks/tables.py runs/samplers/samplers.json benchmarks/cpu-2core-samplers512.json …

Reads the samplers experiment's ``samplers.json`` (``rows``) and the older bench files
(``sampling``) alike.
"""

import json
import sys
from pathlib import Path

from bumpdiff.experiments.samplers_stats import sampler_table
from bumpdiff.records import SamplerRow

if __name__ == "__main__":
    for path in sys.argv[1:]:
        result = json.loads(Path(path).read_text())
        rows = [SamplerRow.model_validate(r) for r in result.get("rows", result.get("sampling"))]
        print(f"### {path}\n\n{sampler_table(rows)}\n")
