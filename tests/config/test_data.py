import pytest

from bumpdiff.config import ConfigError
from tests.conftest import tiny_config


@pytest.mark.parametrize(
    "overrides, message",
    [
        (["data.kinds=[bump,sos]"], "data.kinds: bump and sos share their labels"),
        (["data.kinds=[bump,bump]"], "data.kinds: each kind at most once"),
        (["data.kinds=[vstripe]", "model.conditioning=concat", "data.periodic=true"],
         "data.kinds: .* periodic canvas"),
        (["data.canvas=6"], "data.canvas: must be at least data.size"),
        (["data.kinds=[vstripe]"], "model.conditioning: stripes"),
        (["data.kinds=[vstripe]", "model.conditioning=concat", "data.holdout.kind=cross"],
         "data.holdout: holds out 2D conditions"),
        (["data.x_range=[0,9]"], "data.x_range: must satisfy 0 <= lo <= hi <= 7"),
        (["data.holdout.kind=ring"], "data.holdout.kind"),
    ],
)  # fmt: skip
def test_bad_data_settings_name_the_field(overrides, message):
    with pytest.raises(ConfigError, match=message):
        tiny_config(*overrides)


def test_ranges_live_on_the_latent_canvas():
    cfg = tiny_config("data.canvas=12", "data.x_range=[0,11]")
    assert cfg.data.extent == 12 and cfg.data.offset == 2.0
    assert cfg.data.axis_range("x") == (0.0, 11.0)
