"""The seed paper's correspondence of representation phases and generation outcomes, judged on a
run's checkpoints: A ↔ multiple bumps, B ↔ one mislocated bump, C ↔ the bump at the right place
(Liang, Liu & Fiete, arXiv 2402.03305). The correspondence is a finding of each run, never part of
the phase rule (probe/phase.py), which sees no outcome."""

from __future__ import annotations

import numpy as np

from bumpdiff.scoring.outcomes import OUTCOMES
from bumpdiff.store.records import PhaseEntry

# The seed paper's correspondence (arXiv 2402.03305): phase → dominant outcome.
EXPECTED_OUTCOME = {"A": "multiple", "B": "mislocated", "C": "correct"}
# Every checkpoint phase (probe.phase.checkpoint_phase), in the order the report lists them.
PHASES = ("A", "B", "relay", "C", "undetermined")


def phase_summary(rows: list[PhaseEntry]) -> tuple[list[dict], bool, str]:
    """Per phase: step range, mean and dominant outcome, and in how many of its checkpoints the
    paper's outcome dominates; agreement with the paper; the verdict. The correspondence is
    judged checkpoint by checkpoint: a phase agrees when the paper's outcome dominates at every
    one of its checkpoints (a phase's mean could hide checkpoints that contradict it). It is
    judged on the checkpoints named A, B or C; "relay" and "undetermined" ones are listed, not
    counted either way."""
    summary = []
    for phase in PHASES:
        members = [r for r in rows if r.phase == phase]
        if not members:
            continue
        mean = {o: float(np.mean([r.fractions[o] for r in members])) for o in OUTCOMES}
        dominant = max(mean, key=mean.get)
        expected = EXPECTED_OUTCOME.get(phase)
        own = [max(r.fractions, key=r.fractions.get) for r in members]
        summary.append(
            {
                "phase": phase,
                "first_step": members[0].step,
                "last_step": members[-1].step,
                "checkpoints": len(members),
                "fractions": mean,
                "dominant": dominant,
                "expected": expected or "",
                "matching": own.count(expected) if expected else None,
                "agrees": own.count(expected) == len(members) if expected else None,
            }
        )
    named = [s for s in summary if s["expected"]]
    order = [r.phase for r in rows if r.phase in EXPECTED_OUTCOME]
    in_order = all(a <= b for a, b in zip(order, order[1:]))
    seen = [s["phase"] for s in named]
    agrees = in_order and seen == ["A", "B", "C"] and all(s["agrees"] for s in named)
    return summary, agrees, _verdict(summary, named, seen, in_order, agrees)


def _verdict(summary, named, seen, in_order: bool, agrees: bool) -> str:
    problems = []
    if seen != ["A", "B", "C"]:
        problems.append(f"the phases seen were {', '.join(seen) or 'none'}, not all of A, B, C")
    if not in_order:
        problems.append("the phases did not follow each other in order A → B → C")
    for s in named:
        if not s["agrees"]:
            problems.append(
                f"in phase {s['phase']} the paper's outcome '{s['expected']}' dominated in "
                f"{s['matching']} of its {s['checkpoints']} checkpoints (on average "
                f"'{s['dominant']}', {s['fractions'][s['dominant']]:.0%})"
            )
    if agrees:
        verdict = (
            "This run agrees with the paper: the representation went through phases A → B → C in "
            "order, and the dominant generation outcome was multiple bumps in A, one mislocated "
            "bump in B and one bump at the right place in C"
        )
    else:
        verdict = "This run does not fully agree with the paper: " + "; ".join(problems)
    others = [s for s in summary if not s["expected"]]
    notes = [
        f"{s['checkpoints']} checkpoint(s) {s['phase']} (steps {s['first_step']}–"
        f"{s['last_step']}, mostly '{s['dominant']}')"
        for s in others
    ]
    return verdict + (". Not counted: " + "; ".join(notes) if notes else "") + "."
