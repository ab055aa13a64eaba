"""Do one sweep's seeds reach the behaviour's stages at the steps another's do?
(``bumpdiff evidence stage-steps``), e.g. the quick study trained in bf16 beside its fp32 seeds.

Each seed's onset of a stage is the first checkpoint whose dominant outcome is that stage
(multiple, mislocated, correct bump: ``aggregate.stage_onsets``, the ``onsets`` of a sweep's
verdicts.json). A stage agrees when every onset of the other group lies within the reference
group's range of onsets over its seeds (its seed spread, at checkpoint resolution); an onset the
other group misses disagrees, and a stage the reference misses in some seed has no range and is
not judged. The answer is "same" when every judged stage agrees and every seed of the other group
goes through the stages in order. The checkpoint schedules are not in the verdicts: compare
sweeps of one base preset (as quick-bf16 and quick-seeds).
"""

from __future__ import annotations

import json
from pathlib import Path

from bumpdiff.config import ConfigError
from bumpdiff.sweep.aggregate import DOMINANT_ORDER

USAGE = "stage-steps OUT.json REFERENCE/verdicts.json[:GROUP] OTHER/verdicts.json[:GROUP]"


def compare_onsets(reference: dict, other: dict) -> dict:
    """Per stage the two groups' onsets and whether the other's lie within the reference's
    range; ``reference`` and ``other`` are groups of a sweep's verdicts (module docstring)."""
    stages = {}
    for stage in DOMINANT_ORDER:
        ref = [o[stage] for o in reference["onsets"]]
        got = [o[stage] for o in other["onsets"]]
        seen = [s for s in ref if s is not None]
        if len(seen) < len(ref):  # the reference misses the stage in some seed: no range
            within = None
        else:
            within = all(s is not None and min(seen) <= s <= max(seen) for s in got)
        stages[stage] = {"reference": ref, "other": got, "within": within}
    in_order = all(p == "in order" for p in other["behaviour_paths"])
    decided = [s["within"] for s in stages.values() if s["within"] is not None]
    answer = "same" if decided and all(decided) and in_order else "different"
    return {"stages": stages, "other_in_order": in_order, "answer": answer}


def sentence(names: tuple[str, str], result: dict) -> str:
    """The comparison in one sentence, each stage's onsets in seed order."""
    parts = []
    for stage, s in result["stages"].items():
        mark = {True: "within", False: "outside", None: "no range"}[s["within"]]
        ref, got = (", ".join(str(v) for v in s[k]) for k in ("reference", "other"))
        parts.append(f"{stage} from step {got} ({mark} {names[0]}'s {ref})")
    order = "" if result["other_in_order"] else f"; {names[1]} not always in order"
    return (f"Does {names[1]} reach the stages at {names[0]}'s steps? **{result['answer']}**: "
            + "; ".join(parts) + order + ".")  # fmt: skip


def read_group(spec: str, needs: str = "onsets") -> tuple[str, dict]:
    """``PATH[:GROUP]`` → (the group's name, its verdict), among the groups that have the field
    ``needs``; GROUP may be left out of a file with one such group."""
    path, _, name = spec.partition(":")
    try:
        groups = json.loads(Path(path).read_text())
    except (OSError, ValueError) as err:
        raise ConfigError(f"evidence: {path}: not a sweep's verdicts.json ({err})") from None
    named = {g["group"]: g for g in groups if needs in g}
    if not name and len(named) == 1:
        name = next(iter(named))
    if name not in named:
        raise ConfigError(f"evidence: {spec}: GROUP must be one of {sorted(named)}, got {name!r}")
    return name, named[name]


def stage_steps_main(argv: list[str]) -> int:
    """``bumpdiff evidence`` + ``USAGE``: write the comparison, print its sentence."""
    if len(argv) != 3:
        raise ConfigError(f"evidence: usage: {USAGE}")
    (ref_name, ref), (other_name, other) = read_group(argv[1]), read_group(argv[2])
    result = compare_onsets(ref, other)
    text = sentence((ref_name, other_name), result)
    out = {"command": "bumpdiff evidence stage-steps " + " ".join(argv), "reference": argv[1],
           "other": argv[2], **result, "sentence": text}  # fmt: skip
    Path(argv[0]).write_text(json.dumps(out, indent=1) + "\n")
    print(text.replace("**", ""))
    return 0
