import pytest
import torch

from bumpdiff.config import ConfigError, build_config, probe_point_names
from bumpdiff.diffusion.network import init_model


def test_condition_encoder_separates_distinct_positions(tiny):
    model = init_model(tiny)
    cond = torch.tensor([[1.0, 1.0], [1.0, 1.5], [1.5, 1.0], [5.0, 5.0], [1.0, 1.0]])
    enc = model.cond.encode(cond)
    emb = model.cond(cond)
    dist = torch.cdist(enc, enc)
    assert dist[0, 4] == 0  # same position, same code
    off = dist[:4, :4][~torch.eye(4, dtype=bool)]
    assert off.min() > 0.1  # half a pixel apart is clearly apart
    assert not torch.allclose(emb[0], emb[1]) and not torch.allclose(emb[1], emb[2])
    assert torch.allclose(emb[0], emb[4])


def test_output_depends_on_condition(tiny):
    model = init_model(tiny).eval()
    x = torch.randn(2, 1, 8, 8)
    t = torch.tensor([10, 10])
    a = model(x, t, torch.tensor([[2.0, 2.0], [2.0, 2.0]]))
    b = model(x, t, torch.tensor([[2.0, 2.0], [5.0, 3.0]]))
    assert a.shape == (2, 1, 8, 8)
    assert torch.allclose(a[0], b[0]) and not torch.allclose(a[1], b[1])


def test_probe_points_capture_expected_shapes(tiny):
    model = init_model(tiny).eval()
    shapes = {}
    hooks = []
    for name, module in model.probe_points().items():

        def hook(_m, _i, out, name=name):
            shapes[name] = tuple((out[0] if isinstance(out, tuple) else out).shape)

        hooks.append(module.register_forward_hook(hook))
    model(torch.randn(3, 1, 8, 8), torch.tensor([1, 2, 3]), torch.rand(3, 2) * 7)
    for h in hooks:
        h.remove()
    # channels [8, 16]: down0 8 ch at 4x4 (downsampled), down1 16 ch at 4x4 (last: no downsample)
    assert shapes["down0"] == (3, 8, 4, 4)
    assert shapes["down1"] == (3, 16, 4, 4)
    assert shapes["layer4"] == shapes["down1"]
    assert shapes["mid"] == (3, 16, 4, 4)
    assert shapes["up0"] == (3, 16, 8, 8) and shapes["up1"] == (3, 8, 8, 8)


def test_unknown_probe_point_is_refused(tiny):
    with pytest.raises(ConfigError, match="probe.layer: must be one of"):
        init_model(tiny).probe_point("layer9")


def test_probe_point_names_known_to_the_config_are_the_models():
    for channels in ([8], [8, 16], [8, 16, 16, 16]):
        cfg = build_config(
            {
                "model": {"channels": channels, "norm_groups": 8, "attention_levels": []},
                "data": {"size": 16},
            }
        )
        assert sorted(init_model(cfg).probe_points()) == sorted(probe_point_names(len(channels)))
