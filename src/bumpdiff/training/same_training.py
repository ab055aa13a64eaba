"""Whether two configs train the same thing: the rule a resumed run must pass, and a sweep's
check of a finished member against its base preset. The training sections decide what is
trained; the other sections (evaluation, probe, phase rule, study settings) may change on
resume: they are written to config.yaml, and analysis rows made with other settings are redone
(analysis.pipeline.analyse_pending)."""

from __future__ import annotations

import json

from bumpdiff.config import Config, ConfigError
from bumpdiff.config.common import differing_path, value_at

TRAINING_SECTIONS = ("seed", "data", "model", "diffusion", "train")
COMPUTE_SETTINGS = ("device", "threads", "overlap")  # train.*: how fast, not what is trained


def training_difference(saved: Config, given: Config) -> tuple[str, object, object] | None:
    """The first training field (its dotted path, nested keys included; saved value, given value)
    where ``given`` would train something else than ``saved``, or None; train.steps and the
    compute settings are not compared."""
    a = saved.model_dump(mode="json")
    b = given.model_dump(mode="json")
    for tree in (a, b):
        for key in ("steps", *COMPUTE_SETTINGS):
            tree["train"].pop(key)
    for section in TRAINING_SECTIONS:
        field = differing_path(a[section], b[section], section)
        if field is not None:
            return field, value_at(a, field), value_at(b, field)
    return None


def check_resume_config(saved: Config, given: Config) -> None:
    """A resumed run must train the same thing; only train.steps may grow (and the compute
    settings train.device, train.threads and train.overlap may change)."""
    found = training_difference(saved, given)
    if found is None:
        return
    field, there, here = found
    if "." not in field:
        raise ConfigError(f"{field}: differs from the run being resumed")
    raise ConfigError(
        f"{field}: differs from the run being resumed ({there!r} there, {here!r} given); "
        f"keep the run's value ({field}={json.dumps(there)}) or start a new run folder"
    )
