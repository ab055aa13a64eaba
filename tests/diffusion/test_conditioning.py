import pytest
import torch

from bumpdiff.config import ConfigError
from bumpdiff.diffusion.network import init_model
from bumpdiff.training.loop import _drop_labels, train_step
from tests.conftest import tiny_config

X = torch.tensor([[1.0, 2.0], [1.0, 5.0], [4.0, 2.0]])


def same(a, b):  # rows of one batch may differ in the last bit (blocked matmuls)
    return torch.allclose(a, b, atol=1e-6, rtol=0)


def apart(a, b):
    return (a - b).abs().max() > 1e-3


def _unet_input(model, cond, t=10):
    """The vector every block receives: timestep embedding + label embedding."""
    unet = model.unet
    t_emb = unet.time_proj(torch.full((cond.shape[0],), t))
    return unet.time_embedding(t_emb) + model.cond(cond)


def test_concat_lays_time_x_and_y_side_by_side():
    model = init_model(tiny_config("model.conditioning=concat"))
    width = model.unet.time_embedding.mlp.linear_2.out_features * 2  # E
    emb = _unet_input(model, X)
    assert emb.shape == (3, width)
    q = width // 4
    t_part, x_part, y_part = emb[:, : 2 * q], emb[:, 2 * q : 3 * q], emb[:, 3 * q :]
    assert same(t_part[0], t_part[1]) and same(t_part[0], t_part[2])  # t alone
    assert same(x_part[0], x_part[1]) and apart(x_part[0], x_part[2])  # x alone
    assert same(y_part[0], y_part[2]) and apart(y_part[0], y_part[1])  # y alone
    other_t = _unet_input(model, X, t=40)
    assert same(other_t[:, 2 * q :], emb[:, 2 * q :])  # labels do not see t
    assert apart(other_t[:, : 2 * q], t_part)


def test_add_mixes_the_coordinates_in_one_vector():
    """The control: with ``add`` changing y changes every entry of the label's embedding."""
    model = init_model(tiny_config())
    emb = model.cond(X)
    assert (emb[0] != emb[1]).all()


@pytest.mark.parametrize("overrides", [["model.conditioning=concat"], ["model.label_dropout=0.1"]])
def test_a_missing_axis_uses_the_learned_no_label_embedding(overrides):
    model = init_model(tiny_config(*overrides)).eval()
    with torch.no_grad():
        model.cond.null.normal_()  # learned in training; any value will do here
        nan = float("nan")
        labels = torch.tensor([[nan, 3.0], [nan, 3.0], [6.0, 3.0], [nan, nan]])
        emb = model.cond(labels)
        out = model(torch.zeros(4, 1, 8, 8), torch.full((4,), 5), labels)
    assert torch.isfinite(emb).all() and torch.isfinite(out).all()
    assert same(emb[0], emb[1]) and apart(emb[0], emb[2])
    assert apart(emb[0], emb[3])


def test_nan_labels_are_refused_without_a_no_label_embedding():
    model = init_model(tiny_config())
    with pytest.raises(ValueError, match="NaN coordinate needs model.conditioning=concat"):
        model.cond(torch.tensor([[float("nan"), 3.0]]))


def test_label_dropout_drops_whole_rows_at_its_rate():
    gen = torch.Generator().manual_seed(0)
    labels = torch.rand(20000, 2) * 9
    out = _drop_labels(labels, 0.1, gen)
    dropped = out.isnan()
    assert torch.equal(dropped[:, 0], dropped[:, 1])  # both coordinates together
    assert abs(dropped[:, 0].float().mean().item() - 0.1) < 4 * (0.1 * 0.9 / 20000) ** 0.5
    assert torch.equal(out[~dropped[:, 0]], labels[~dropped[:, 0]])


def test_without_dropout_training_draws_what_it_drew_before():
    """Rate 0 draws nothing more from the training generator (old runs resume bit for bit)."""
    cfg = tiny_config()
    model = init_model(cfg)
    opt = torch.optim.SGD(model.parameters(), lr=0.0)
    x_0, cond = torch.randn(5, 1, 8, 8), torch.rand(5, 2) * 6
    gen, ref = torch.Generator().manual_seed(3), torch.Generator().manual_seed(3)
    train_step(model, opt, x_0, cond, torch.linspace(0.99, 0.01, 50), gen, 4)
    torch.randint(5, (4,), generator=ref), torch.randint(50, (4,), generator=ref)
    torch.randn((4, 1, 8, 8), generator=ref)
    assert torch.equal(gen.get_state(), ref.get_state())


def test_label_dropout_must_be_below_one():
    with pytest.raises(ConfigError, match="model.label_dropout"):
        tiny_config("model.label_dropout=1.0")


@pytest.mark.parametrize("conditioning", ["add", "concat"])
def test_a_wider_embedding_reaches_every_block_and_the_default_is_diffusers(conditioning):
    """``model.embed_dim`` widens the vector every block receives (each coordinate's quarter with
    concat) without touching the channels; unset, the network is bit for bit the one built
    with diffusers' 4 × channels[0] named explicitly."""
    cfg = tiny_config(f"model.conditioning={conditioning}", "model.embed_dim=96")
    model = init_model(cfg)
    assert _unet_input(model, X).shape == (3, 96)
    projections = [m for n, m in model.unet.named_modules() if n.endswith("time_emb_proj")]
    assert projections and all(p.in_features == 96 for p in projections)
    if conditioning == "concat":
        emb = _unet_input(model, X)
        assert same(emb[0, 48:72], emb[1, 48:72]) and apart(emb[0, 72:], emb[1, 72:])  # x, y
    default = tiny_config(f"model.conditioning={conditioning}")
    named = default.model_copy(update={"model": default.model.model_copy(
        update={"embed_dim": default.model.channels[0] * 4})})  # fmt: skip
    a, b = init_model(default).state_dict(), init_model(named).state_dict()
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_the_embedding_width_must_split_in_four():
    with pytest.raises(ConfigError, match="model.embed_dim: must be a multiple of 4, got 30"):
        tiny_config("model.embed_dim=30")
