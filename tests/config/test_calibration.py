"""The phase rule's own studies' settings: bounds refused with one line naming the field."""

import pytest

from bumpdiff.config import ConfigError, build_config


@pytest.mark.parametrize(
    "override",
    [
        "calibration.draws=[1,8]",
        "calibration.draws=[16,8]",
        "calibration.shares=[0.0,1.5]",
        "calibration.floors=[0.9,0.9]",
        "calibration.features=4",
        "probe_draws.draws=[1]",
        "probe_draws.steps=[10,0]",
    ],
)
def test_a_value_out_of_bounds_is_refused_naming_its_field(override):
    field = override.split("=")[0]
    with pytest.raises(ConfigError, match=field.replace(".", r"\.")):
        build_config({}, [override])


def test_the_defaults_are_the_committed_calibrations():
    cfg = build_config({}, [])
    assert cfg.calibration.draws == [8, 16, 32, 64] and cfg.calibration.floors == [0.7, 0.8, 0.9]
    assert cfg.probe_draws.steps == [0, 158, 251, 398, 1000]
