"""The trajectory reading across seeds: a member's mislocated stage is a learned B when one of its
checkpoints is B, the input leaking through when all are A, undetermined otherwise; a group
answers only when more than half of its members with a mislocated stage agree."""

from types import SimpleNamespace

from bumpdiff.sweep.aggregate_trajectory import answer_of, member_reading, reading_text

MISLOCATED = {"none": 0.0, "multiple": 0.2, "mislocated": 0.7, "correct": 0.1}
CORRECT = {"none": 0.0, "multiple": 0.0, "mislocated": 0.1, "correct": 0.9}


def _entry(step: int, phase: str, fractions=MISLOCATED, learned: float = 0.01) -> SimpleNamespace:
    steps = [{"t": t, "learned_generated": learned + d, "learned_generated_low": learned + d - 0.02,
              "order_generated_pixels": 0.9} for t, d in ((500, 0.0), (0, 0.01))]  # fmt: skip
    return SimpleNamespace(step=step, fractions=fractions, trajectory=steps, trajectory_phase=phase)


def test_a_member_reads_learned_leak_or_undetermined_from_its_mislocated_stage():
    late = _entry(1000, "C", CORRECT)  # outside the stage: never counted
    learned = member_reading([_entry(10, "A"), _entry(40, "B", learned=0.2), late])
    assert learned["reading"] == "learned" and learned["stage_steps"] == [10, 40]
    assert learned["best_step"] == 40 and abs(learned["best_learned_generated"] - 0.21) < 1e-9
    assert member_reading([_entry(10, "A"), _entry(40, "A"), late])["reading"] == "leak"
    assert (
        member_reading([_entry(10, "A"), _entry(40, "undetermined")])["reading"] == "undetermined"
    )
    assert member_reading([_entry(10, "C")])["reading"] == "condition"
    assert member_reading([late])["reading"] is None  # no mislocated stage


def test_a_group_answers_only_with_a_majority():
    assert answer_of(["learned", "learned", "leak"])[1] == "learned"
    assert answer_of(["learned", "leak"])[1] == "undetermined"
    counts, answer = answer_of(["leak", "leak", "undetermined", "leak", "learned"])
    assert answer == "leak" and counts == {
        "learned": 1,
        "leak": 3,
        "condition": 0,
        "undetermined": 1,
    }
    assert answer_of([])[1] == "undetermined"


def test_the_sentence_carries_the_counts_and_the_answer():
    found = {"counts": {"learned": 3, "leak": 1, "condition": 0, "undetermined": 1},
             "with_mislocated_stage": 5, "median_best_learned_generated": 0.081,
             "median_best_learned_generated_low": 0.052, "min_learned": 0.04,
             "answer": "learned"}  # fmt: skip
    text = reading_text("base", found, 5)
    assert "in 3/5" in text and "0.081" in text and "learned representation" in text
