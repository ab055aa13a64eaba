"""Shards of a follow-up study pooled into one summary (``bumpdiff evidence pool-shards``).

A long study (percolation, efficiency) can run its members a few at a time, each shard in its own
run folder with a part of the member lists (``--set 'percolation.seeds=[1]' --set
'percolation.sigmas=[0.5]'``), so that a design too long for one sitting is carried by the
shards' committed summaries when run folders do not survive. A member's training and evaluation
depend on the design and its own setting and seed only (its subset of the lattice, its weights
and its samples are seeded from them), so the pooled summary is the one the whole design writes
from the same members: rows merged per setting with their seeds in order, in the config's order,
and every statistic recomputed by the study's own code. Each shard's summary records its design
(``members.design_of``: the config less the member lists and compute settings); a shard of
another design, a member held by two shards, and a member of the config that no shard holds or
of a shard that the config does not name are refused in one line. Beside the pooled file goes
the figure the study's report draws (its name with ``.png``), so that a design pooled from
shards is seen as a whole run's would be.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bumpdiff.config import Config, ConfigError
from bumpdiff.config.common import differing_path
from bumpdiff.experiments import efficiency, percolation_study
from bumpdiff.experiments.members import design_of
from bumpdiff.store.runfolder import write_json
from bumpdiff.store.summaries import SUMMARIES

USAGE = "pool-shards OUT.json CONFIG.yaml SHARD.json SHARD.json ... [--set KEY=VALUE ...]"
# study → (its module: GRID and settings(cfg); the summary's rows; the fields naming a setting)
STUDIES = {
    "percolation": (percolation_study, "trained", ("sigma", "fraction")),
    "efficiency": (efficiency, "members", ("dataset", "size", "fraction")),
}


def merge_rows(cfg: Config, shards: dict[str, dict]) -> list[dict]:
    """The shards' rows as the whole design's: one row per setting of the config, in its order,
    each list field holding its values in the order of the config's seed list."""
    module, field, keys = STUDIES[cfg.experiment]
    held: dict[tuple, dict[int, tuple[str, dict, int]]] = {}
    for name, shard in shards.items():
        for row in shard[field]:
            key = tuple(row[k] for k in keys)
            for i, seed in enumerate(row.get("seeds") or []):
                if seed in held.setdefault(key, {}):
                    raise ConfigError(f"{field}: {key} seed {seed} is in both "
                                      f"{held[key][seed][0]} and {name}")  # fmt: skip
                held[key][seed] = (name, row, i)
    seeds = list(getattr(cfg, cfg.experiment).seeds)
    wanted = {(*key, seed) for key in module.settings(cfg) for seed in seeds}
    have = {(*key, seed) for key, by_seed in held.items() for seed in by_seed}
    for missing, what in ((wanted - have, "no shard holds"), (have - wanted, "the config lacks")):
        if missing:
            raise ConfigError(f"{field}: {what} {len(missing)} member(s) ({keys + ('seed',)}), "
                              f"e.g. {sorted(missing)[0]}")  # fmt: skip
    return [_pooled_row(key, keys, [held[key][s] for s in seeds])
            for key in module.settings(cfg)]  # fmt: skip


def _pooled_row(key: tuple, keys: tuple, per_seed: list[tuple[str, dict, int]]) -> dict:
    """One setting's row: its key fields, and each list field's values in seed order."""
    lists = [k for k, v in per_seed[0][1].items() if isinstance(v, list)]
    return {**dict(zip(keys, key)), **{k: [row[k][i] for _, row, i in per_seed] for k in lists}}


def pool(cfg: Config, shards: dict[str, dict]) -> dict:
    """The study's summary from its shards (name → summary), as the whole design writes it."""
    if cfg.experiment not in STUDIES:
        raise ConfigError(
            f"experiment: {cfg.experiment!r} cannot be pooled; expected one of {list(STUDIES)}"
        )
    module = STUDIES[cfg.experiment][0]
    design = design_of(cfg, module.GRID)
    for name, shard in shards.items():
        if "design" not in shard:
            raise ConfigError(f"{name}: records no design (an older file); redo its report")
        where = differing_path(shard["design"], design)
        if where:
            raise ConfigError(f"{name}: its design differs from the config's at {where}")
    rows = merge_rows(cfg, shards)
    return _RECOMPUTE[cfg.experiment](cfg, design, list(shards.values()), rows)


def _percolation(cfg: Config, design: dict, shards: list[dict], rows: list[dict]) -> dict:
    """Each width's simulated curves come from the shards that trained it (a curve depends on
    its width, threshold and the config's seed only), in the config's order."""
    from bumpdiff.experiments.percolation_stats import summarise

    p = cfg.percolation
    curves = {(c["sigma"], c["threshold"]): c for shard in shards for c in shard["simulation"]}
    simulation = [curves[(s, t)] for s in p.sigmas for t in p.thresholds]
    result = summarise(simulation, rows, p.onset, cfg.seed)
    return {"design": design, "simulation": simulation, "trained": rows, "result": result}


def _efficiency(cfg: Config, design: dict, shards: list[dict], rows: list[dict]) -> dict:
    e = cfg.efficiency
    scale = efficiency.scaling(rows, e.target, cfg.seed)
    compared = efficiency.comparison(scale)
    lines = efficiency.sentences(rows, scale, e.target, compared)
    return {"design": design, "members": rows, "scaling": scale, "comparison": compared,
            "sentences": lines}  # fmt: skip


_RECOMPUTE = {"percolation": _percolation, "efficiency": _efficiency}


def _draw(study: str, data: dict, path: Path) -> None:
    """The study's report figure (report/followup_pages.py: ``percolation_figure``,
    ``efficiency_figure``) of the pooled summary at ``path``; matplotlib is imported only here,
    after the pooled file is written."""
    from bumpdiff.report import followup_pages

    getattr(followup_pages, f"{study}_figure")(data, path)


def pool_shards_main(argv: list[str]) -> int:
    """``USAGE``: write the pooled summary, print its sentences; a one-line error otherwise."""
    from bumpdiff.config import load_config

    overrides = [argv[i + 1] for i, arg in enumerate(argv[:-1]) if arg == "--set"]
    argv = [a for i, a in enumerate(argv) if a != "--set" and (i == 0 or argv[i - 1] != "--set")]
    if len(argv) < 3:
        print(f"usage: bumpdiff evidence {USAGE}", file=sys.stderr)
        return 2
    try:
        cfg = load_config(argv[1], overrides)
        shards = {path: json.loads(Path(path).read_text()) for path in argv[2:]}
        data = pool(cfg, shards)
        record = SUMMARIES[cfg.experiment].model_validate(data)
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except (OSError, ValueError, KeyError) as err:  # unreadable, not JSON, not the study's kind
        why = str(err).splitlines()[0]
        print(f"error: {getattr(err, 'filename', None) or 'file'}: {why}", file=sys.stderr)
        return 2
    write_json(Path(argv[0]), record.model_dump(mode="python", by_alias=True, exclude_unset=True))
    _draw(cfg.experiment, data, Path(argv[0]).with_suffix(".png"))
    for line in data.get("sentences") or data["result"]["sentences"]:
        print(line.replace("**", ""))
    return 0
