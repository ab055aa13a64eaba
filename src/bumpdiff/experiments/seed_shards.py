"""Seed shards of a follow-up study pooled into one summary (``bumpdiff evidence pool-seeds``).

A long study (percolation, efficiency) can run one seed at a time, each shard in its own run
folder (``--set 'percolation.seeds=[0]'``), so that a design too long for one sitting is carried
by its committed summaries when the run folders do not survive. A member's training and
evaluation depend on its own seed and the design only (its subset of the lattice, its weights
and its samples are seeded from them), so the pooled summary is the one the whole design
would write from the same members: rows merged per setting with their seeds in order, and
every statistic recomputed by the study's own code from the pooled rows. Each shard's summary
records its design (``members.design_of``); a shard of another design, a seed held by two shards,
a seed the config does not name or a setting some shard lacks is refused in one line.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bumpdiff.config import Config, ConfigError
from bumpdiff.experiments.members import design_of
from bumpdiff.store.runfolder import write_json
from bumpdiff.store.summaries import SUMMARIES

USAGE = "pool-seeds OUT.json CONFIG.yaml SHARD.json SHARD.json ..."
# study → (the summary's list of per-setting rows, the fields naming a setting)
ROWS = {
    "percolation": ("trained", ("sigma", "fraction")),
    "efficiency": ("members", ("dataset", "size", "fraction")),
}


def first_difference(a, b, where: str = "") -> str | None:
    """The dotted path of the first field where two JSON trees differ (None when equal)."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            found = first_difference(a.get(key), b.get(key), f"{where}.{key}" if where else key)
            if found:
                return found
        return None
    return None if a == b else (where or "(whole)")


def merge_rows(shards: dict[str, dict], study: str) -> list[dict]:
    """The shards' rows merged per setting: every list field concatenated, ordered by seed."""
    field, keys = ROWS[study]
    merged: dict[tuple, list[dict]] = {}
    for name, shard in shards.items():
        for row in shard[field]:
            if not row.get("seeds"):
                raise ConfigError(f"{name}: {field}: a row without its seeds (an older file)")
            merged.setdefault(tuple(row[k] for k in keys), []).append(row)
    counts = {len(rows) for rows in merged.values()}
    if counts != {len(shards)}:
        raise ConfigError(f"{field}: every shard must hold every setting ({keys}); some lack one")
    return [_pooled_row(rows, keys) for rows in merged.values()]


def _pooled_row(rows: list[dict], keys: tuple) -> dict:
    """One setting's rows as one: its key fields, and each list field's values by seed."""
    per_seed = [(seed, row, i) for row in rows for i, seed in enumerate(row["seeds"])]
    per_seed.sort(key=lambda item: item[0])
    lists = [k for k, v in rows[0].items() if isinstance(v, list)]
    out = {k: rows[0][k] for k in keys}
    out.update({k: [row[k][i] for _, row, i in per_seed] for k in lists})
    return out


def check_seeds(cfg: Config, shards: dict[str, dict], study: str) -> None:
    """Each seed in one shard only, and together the config's seed list."""
    field, _ = ROWS[study]
    held: dict[int, str] = {}
    for name, shard in shards.items():
        for seed in sorted({s for row in shard[field] for s in row.get("seeds", [])}):
            if seed in held:
                raise ConfigError(f"seeds: seed {seed} is in both {held[seed]} and {name}")
            held[seed] = name
    wanted = list(getattr(cfg, study).seeds)
    if sorted(held) != sorted(wanted):
        raise ConfigError(
            f"{study}.seeds: the shards hold {sorted(held)}, the config asks for {wanted}"
        )


def pool(cfg: Config, shards: dict[str, dict]) -> dict:
    """The study's summary from its seed shards (name → summary), as the whole design writes it."""
    study = cfg.experiment
    if study not in ROWS:
        raise ConfigError(f"experiment: {study!r} cannot be pooled; expected one of {list(ROWS)}")
    design = design_of(cfg)
    for name, shard in shards.items():
        if "design" not in shard:
            raise ConfigError(f"{name}: records no design (an older file); redo its report")
        where = first_difference(shard["design"], design)
        if where:
            raise ConfigError(f"{name}: its design differs from the config's at {where}")
    check_seeds(cfg, shards, study)
    rows = merge_rows(shards, study)
    return _RECOMPUTE[study](cfg, design, list(shards.values()), rows)


def _percolation(cfg: Config, design: dict, shards: list[dict], rows: list[dict]) -> dict:
    from bumpdiff.experiments.percolation_stats import summarise

    simulation = shards[0]["simulation"]
    result = summarise(simulation, rows, cfg.percolation.onset, cfg.seed)
    return {"design": design, "simulation": simulation, "trained": rows, "result": result}


def _efficiency(cfg: Config, design: dict, shards: list[dict], rows: list[dict]) -> dict:
    from bumpdiff.experiments.efficiency import comparison, scaling, sentences

    scale = scaling(rows, cfg.efficiency.target, cfg.seed)
    compared = comparison(scale)
    lines = sentences(rows, scale, cfg.efficiency.target, compared)
    return {"design": design, "members": rows, "scaling": scale, "comparison": compared,
            "sentences": lines}  # fmt: skip


_RECOMPUTE = {"percolation": _percolation, "efficiency": _efficiency}


def pool_seeds_main(argv: list[str]) -> int:
    """``USAGE``: write the pooled summary, print its sentences; a one-line error otherwise."""
    from bumpdiff.config import load_config

    if len(argv) < 3:
        print(f"usage: bumpdiff evidence {USAGE}", file=sys.stderr)
        return 2
    try:
        cfg = load_config(argv[1])
        shards = {path: json.loads(Path(path).read_text()) for path in argv[2:]}
        data = pool(cfg, shards)
        record = SUMMARIES[cfg.experiment].model_validate(data)
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as err:  # unreadable, not JSON, or not the study's summary
        why = str(err).splitlines()[0]
        print(f"error: {getattr(err, 'filename', None) or 'file'}: {why}", file=sys.stderr)
        return 2
    write_json(Path(argv[0]), record.model_dump(mode="python", by_alias=True, exclude_unset=True))
    for line in data.get("sentences") or data["result"]["sentences"]:
        print(line.replace("**", ""))
    return 0
