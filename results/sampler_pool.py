"""Several sampler studies of one run on disjoint images, pooled into one (samplers_stats.
pool_studies), with the rule's choice on the pooled rows. Each study is given with the
samplers.seed it ran with (image r of a study is seeded seed + r); overlapping seeds are refused.

python results/sampler_pool.py OUT.json STUDY.json:SEED STUDY.json:SEED ...
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pydantic import ValidationError

from bumpdiff.config import ConfigError
from bumpdiff.experiments.samplers_stats import choose_sampler, pool_studies, sampler_table
from bumpdiff.store.records import SamplerStudy


def _read(spec: str) -> tuple[SamplerStudy, int]:
    """One "FILE.json:SEED" argument: the study and its seed, or a one-line error naming it."""
    path, _, seed = spec.rpartition(":")
    if not path or not seed.isdigit():
        raise ConfigError(f"study: expected FILE.json:SEED, got {spec!r}")
    try:
        return SamplerStudy.model_validate_json(Path(path).read_text()), int(seed)
    except (OSError, ValidationError) as err:
        reason = err.strerror if isinstance(err, OSError) else "not a samplers.json study"
        raise ConfigError(f"study: cannot read {path} ({reason})") from None


def pooled(specs: list[str]) -> tuple[SamplerStudy, list[dict]]:
    """The pooled study (with its choice) and where its parts came from."""
    studies = [_read(spec) for spec in specs]
    study = pool_studies(studies)
    study.choice = choose_sampler(study.rows)
    sources = [
        {"file": spec.rpartition(":")[0], "seed": seed}
        for spec, (_, seed) in zip(specs, studies, strict=True)
    ]
    return study, sources


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    try:
        study, sources = pooled(argv[1:])
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    result = {"pooled_from": sources, **study.model_dump(mode="json")}
    Path(argv[0]).write_text(json.dumps(result, indent=1) + "\n")
    print(sampler_table(study.rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
