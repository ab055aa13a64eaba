"""The torus experiment's members across seeds (``bumpdiff aggregate``): per setting, each
representation of the terminal checkpoint judged over the seeds beyond its controls
(experiments/torus_seeds.py), and the "not aligned" claim on it. Pure functions of the members'
torus.json (records.TorusSummary); members written before the shuffled control
(``terminal.nulls``) are left out and named.
"""

from __future__ import annotations

import json
from pathlib import Path

from bumpdiff.experiments.torus_seeds import alignment, beyond_controls
from bumpdiff.store.runfolder import RunFolder

# representation → (its field in torus.json's terminal, {control: its statistics' place}); a
# place "untrained" is terminal.untrained's statistics, any other a field of terminal.nulls
REPRESENTATIONS = {
    "means": ("model", {"untrained": "untrained", "shuffled": "shuffled"}),
    "learned change": ("learned_change", {"shuffled change": "shuffled_change"}),
    "input response": ("input", {"untrained": "untrained_input", "shuffled": "shuffled_input"}),
    "input change": ("input_change", {"shuffled change": "shuffled_input_change"}),
}


def torus_members(root: Path, status: dict[str, dict]) -> tuple[dict[str, list], list[str]]:
    """Per group, the terminal of every finished member with its controls; and the names of
    finished members without them."""
    groups: dict[str, list] = {}
    without = []
    for name, entry in sorted(status.items()):
        summary = (
            RunFolder(root / name).read_summary("torus") if entry.get("status") == "done" else None
        )
        if summary is None:
            continue
        end = summary.terminal.model_dump(mode="json")
        if end.get("nulls") is None:
            without.append(name)
            continue
        groups.setdefault(entry["group"], []).append(end)
    return groups, without


def _stats(end: dict, place: str) -> dict | None:
    found = end["untrained"] if place == "untrained" else end["nulls"].get(place)
    return None if found is None else found.get("stats", found)


def judged(ends: list[dict]) -> dict[str, dict]:
    """Per representation measured in every member: the verdict beyond its controls and the
    alignment claim, over the members' seeds."""
    nx, ny = ends[0]["nulls"]["lattice"]
    out = {}
    for name, (field, controls) in REPRESENTATIONS.items():
        if any(e.get(field) is None for e in ends):
            continue
        trained = [e[field]["stats"] for e in ends]
        nulls = {c: [_stats(e, place) for e in ends] for c, place in controls.items()}
        if any(s is None for v in nulls.values() for s in v):
            continue
        out[name] = {"verdict": beyond_controls(trained, nulls, nx, ny),
                     "alignment": alignment(trained, nulls)}  # fmt: skip
    return out


def _line(group: str, n: int, name: str, found: dict) -> str:
    v, a = found["verdict"], found["alignment"]
    ideal = v["closer"] if v["closer"] != "undetermined" else "factorized"
    closer = (f"closer to the {v['closer']} torus" if v["closer"] != "undetermined" else
              "closer to neither ideal torus by the margin")  # fmt: skip
    controls = ", ".join(f"{c} {'beyond' if r['beyond'] else 'not beyond'} "
                         f"({r['closer_by']:+.2f} ± {r['se']:.2f})"
                         for c, r in v["controls"].items())  # fmt: skip
    apart = [p for p in v["ideals_apart_in_se"].values() if p is not None]
    power = f"{min(apart):.1f}" if apart else "n/a"
    beside = "; ".join(f"{c} {m['x_on_x']:.2f}, {m['y_on_y']:.2f}"
                       for c, m in a["controls"].items())  # fmt: skip
    return (f"{group}, {name} over {n} seeds: **{v['answer']}** ({closer}; nearer the {ideal} "
            f"torus than each control by: {controls}; the two ideal tori lie {power} standard "
            f"errors of the seeds' distances apart); x-on-x {a['x_on_x']['mean']:.2f} ± "
            f"{a['x_on_x']['se']:.2f}, y-on-y {a['y_on_y']['mean']:.2f} ± "
            f"{a['y_on_y']['se']:.2f}: **{a['answer']}**, {a['learned']} (controls' x-on-x, "
            f"y-on-y: {beside})")  # fmt: skip


def aggregate_torus(out: Path, groups: dict[str, list], without: list[str]) -> list[str]:
    """torus-verdicts.json in ``out``; returns its lines."""
    found, lines = [], []
    for group, ends in sorted(groups.items()):
        per = judged(ends)
        for name, f in per.items():
            f["text"] = _line(group, len(ends), name, f)
            lines.append(f["text"])
        found.append({"group": group, "seeds": len(ends), "representations": per})
    (out / "torus-verdicts.json").write_text(json.dumps(found, indent=1) + "\n")
    if without:
        lines.append(
            f"torus members without the shuffled control (analyse again): {', '.join(without)}"
        )
    return lines
