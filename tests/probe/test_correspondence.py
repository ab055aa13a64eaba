"""The paper's phase ↔ outcome correspondence judged on a run's checkpoints: the verdict can say
each answer, and relay or undetermined checkpoints are listed, not counted."""

import pytest

from bumpdiff.probe.correspondence import phase_summary
from bumpdiff.store.records import PhaseEntry, PhaseProbe


def _entry(step: int, phase: str, dominant: str) -> PhaseEntry:
    fractions = {o: 0.1 for o in ("none", "multiple", "mislocated", "correct")}
    fractions[dominant] = 0.7
    probe = PhaseProbe(**{k: 0.5 for k in PhaseProbe.model_fields})
    return PhaseEntry(step=step, phase=phase, accuracy=fractions["correct"], fractions=fractions,
                      x_accuracy=0.5, y_accuracy=0.5, r2_x=0.5, r2_y=0.5, probe=probe,
                      sampler="ddpm-100")  # fmt: skip


@pytest.mark.parametrize(
    ("entries", "agrees", "says"),
    [
        ([(0, "A", "multiple"), (10, "B", "mislocated"), (20, "C", "correct")], True,
         "agrees with the paper"),
        ([(0, "A", "none"), (10, "B", "mislocated"), (20, "C", "correct")], False,
         "in phase A the paper's outcome 'multiple' dominated in 0 of its 1 checkpoints"),
        # judged checkpoint by checkpoint: a phase's mean does not hide one that contradicts it
        ([(0, "A", "multiple"), (2, "A", "multiple"), (4, "A", "mislocated"),
          (10, "B", "mislocated"), (20, "C", "correct")], False,
         "'multiple' dominated in 2 of its 3 checkpoints (on average 'multiple'"),
        ([(0, "A", "multiple"), (10, "C", "correct"), (20, "B", "mislocated")], False,
         "did not follow each other in order"),
        ([(0, "A", "multiple"), (20, "C", "correct")], False, "the phases seen were A, C"),
        # relay and undetermined checkpoints are listed, not counted either way
        ([(0, "A", "multiple"), (5, "relay", "mislocated"), (10, "B", "mislocated"),
          (20, "C", "correct"), (30, "undetermined", "correct")], True,
         "Not counted: 1 checkpoint(s) relay (steps 5–5, mostly 'mislocated'); 1 checkpoint(s) "
         "undetermined"),
        ([(0, "A", "multiple"), (10, "relay", "mislocated"), (20, "C", "correct")], False,
         "the phases seen were A, C"),
    ],
)  # fmt: skip
def test_the_phase_verdict_can_say_each_answer(entries, agrees, says):
    summary, verdict_agrees, verdict = phase_summary([_entry(*e) for e in entries])
    assert verdict_agrees is agrees and says in verdict
