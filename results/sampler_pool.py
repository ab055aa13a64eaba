"""Several sampler studies of one run on disjoint images, pooled into one (samplers_stats.
pool_studies), with the rule's choice on the pooled rows. Each study is given with the
samplers.seed it ran with (image r of a study is seeded seed + r); overlapping seeds are refused.

python results/sampler_pool.py OUT.json STUDY.json:SEED STUDY.json:SEED ...
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bumpdiff.config import ConfigError
from bumpdiff.experiments.samplers_stats import choose_sampler, pool_studies, sampler_table
from bumpdiff.records import SamplerStudy


def pooled(specs: list[str]) -> dict:
    """The pooled study (with its choice) and where its parts came from."""
    studies, sources = [], []
    for spec in specs:
        path, _, seed = spec.rpartition(":")
        if not path or not seed.isdigit():
            raise ConfigError(f"study: expected FILE.json:SEED, got {spec!r}")
        studies.append((SamplerStudy.model_validate_json(Path(path).read_text()), int(seed)))
        sources.append({"file": path, "seed": int(seed)})
    study = pool_studies(studies)
    study.choice = choose_sampler(study.rows)
    return {"pooled_from": sources, **study.model_dump(mode="json")}


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    try:
        result = pooled(argv[1:])
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    Path(argv[0]).write_text(json.dumps(result, indent=1) + "\n")
    rows = SamplerStudy.model_validate({k: v for k, v in result.items() if k != "pooled_from"})
    print(sampler_table(rows.rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
