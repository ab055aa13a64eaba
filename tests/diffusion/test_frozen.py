"""The frozen sampling network: the same images bit for bit on every sampler, chunking and
architecture; a freeze that moves bits (three-level UNets) is seen and not kept; and the model
itself wherever freezing could change what runs."""

import pytest
import torch

from bumpdiff.diffusion.brownian import sample_on_brownian_path
from bumpdiff.diffusion.frozen import can_freeze, sampling_network
from bumpdiff.diffusion.network import init_model
from bumpdiff.diffusion.schedule import sample, sample_batched
from tests.conftest import tiny_config

NAN = float("nan")


def _both(freezes, run):
    freezes.on(False)
    before = freezes.made
    eager = run()
    assert freezes.made == before
    freezes.on(True)
    fast = run()
    assert freezes.made > before
    return eager, fast


@pytest.mark.parametrize("sampler", ["ddpm", "ddim", "dpmpp"])
def test_frozen_sampling_gives_the_same_images_bit_for_bit(tiny, freezes, sampler):
    model = init_model(tiny).eval()
    cond = torch.tensor([[2.0, 3.0], [5.0, 5.0], [3.0, 6.0], [6.0, 1.0]])
    seeds = [3, 1, 4, 1]
    eager, fast = _both(freezes, lambda: sample(model, cond, tiny.diffusion, sampler, 12, seeds))
    assert torch.equal(eager, fast)


def test_coupled_sampling_and_uneven_chunks_are_unchanged_too(tiny, freezes):
    model = init_model(tiny).eval()
    cond = torch.tensor([[2.0, 3.0], [5.0, 5.0], [3.0, 6.0], [6.0, 1.0], [1.0, 1.0]])
    seeds = [9, 8, 7, 6, 5]
    eager, fast = _both(
        freezes, lambda: sample_on_brownian_path(model, cond, tiny.diffusion, 10, seeds)
    )
    assert torch.equal(eager, fast)
    chunks = _both(
        freezes, lambda: sample_batched(model, cond, tiny.diffusion, "ddpm", 10, seeds, 2)
    )
    assert freezes.made == 4  # the coupled call's trace, then one per chunk (2, 2 and 1 images)
    assert torch.equal(*chunks)


def test_missing_labels_sample_alike(freezes):
    """Missing labels (concat conditioning) take the learned 'no label' path: frozen and eager
    images agree there too."""
    cfg = tiny_config("model.conditioning=concat")
    model = init_model(cfg).eval()
    cond = torch.tensor([[NAN, 3.0], [5.0, NAN], [2.0, 2.0]])
    eager, fast = _both(freezes, lambda: sample(model, cond, cfg.diffusion, "ddim", 8, [1, 2, 3]))
    assert torch.equal(eager, fast) and not fast.isnan().any()


def test_the_model_itself_wherever_freezing_could_change_what_runs(tiny):
    model = init_model(tiny).eval()
    x = torch.randn(64, 1, 8, 8)
    assert can_freeze(model, x, calls=100)
    assert not can_freeze(model, x, calls=1)  # too small to repay the trace
    assert not can_freeze(init_model(tiny).train(), x, calls=100)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        assert not can_freeze(model, x, calls=100)
    handle = model.probe_point("mid").register_forward_hook(lambda *a: None)
    assert not can_freeze(model, x, calls=100)
    handle.remove()
    assert can_freeze(model, x, calls=100)


@pytest.mark.parametrize(
    "overrides",
    [
        # the paper preset's shape, small: more levels, attention on two, two layers per block
        ["model.channels=[8,16,16]", "model.attention_levels=[1,2]", "model.layers_per_block=2"],
        ["model.label_dropout=0.2"],  # the learned 'no label' of the added conditioning
    ],
)
def test_other_architectures_sample_alike_frozen(freezes, overrides):
    cfg = tiny_config(*overrides)
    model = init_model(cfg).eval()
    cond = torch.tensor([[2.0, 3.0], [NAN, 5.0], [3.0, 6.0]])
    if "model.label_dropout=0.2" not in overrides:
        cond = cond.nan_to_num(4.0)
    eager, fast = _both(freezes, lambda: sample(model, cond, cfg.diffusion, "ddpm", 10, [5, 6, 7]))
    assert torch.equal(eager, fast)


@pytest.mark.filterwarnings("ignore::torch.jit.TracerWarning")
@pytest.mark.parametrize("channels", ["[8,16,16]", "[8,16]"])
def test_the_frozen_network_is_kept_exactly_when_it_gives_the_models_bits(channels):
    """Whether freezing moves bits depends on the CPU's kernels (on some Xeons a three-level
    UNet's frozen matrix products land 5e-7 apart, on an AMD EPYC none move): the rule, not the
    outcome, is what holds everywhere. The frozen network is kept iff its output equals the
    model's on the call's first input."""
    x, t = torch.randn(3, 1, 8, 8), torch.full((3,), 20)
    cond = torch.tensor([[2.0, 3.0], [4.0, 5.0], [3.0, 6.0]])
    model = init_model(tiny_config(f"model.channels={channels}")).eval()
    with torch.inference_mode():
        net = sampling_network(model, x, t, cond, calls=10**4)
        traced = torch.jit.trace(model, (x, t, cond), check_trace=False)
        frozen_alone = torch.jit.freeze(traced, optimize_numerics=False)
        exact = torch.equal(frozen_alone(x, t, cond), model(x, t, cond))
    assert isinstance(net, torch.jit.ScriptModule)
    assert (not list(net.parameters())) == exact  # no parameters left: the weights inlined


class _Moved(torch.nn.Module):
    """A 'frozen' network whose output is one ulp-sized step off the model's."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x, t, cond):
        return self.net(x, t, cond) + 1e-7


@pytest.mark.filterwarnings("ignore::torch.jit.TracerWarning")
def test_a_freeze_that_moves_bits_is_not_kept(monkeypatch):
    """The control: a freeze that moves the output by 1e-7 is refused and the unfrozen trace
    (which still holds its parameters) is used, whatever this CPU's kernels do."""
    monkeypatch.setattr(torch.jit, "freeze", lambda net, **kwargs: _Moved(net))
    x, t = torch.randn(3, 1, 8, 8), torch.full((3,), 20)
    cond = torch.tensor([[2.0, 3.0], [4.0, 5.0], [3.0, 6.0]])
    model = init_model(tiny_config()).eval()
    with torch.inference_mode():
        net = sampling_network(model, x, t, cond, calls=10**4)
        assert torch.equal(net(x, t, cond), model(x, t, cond))
    assert isinstance(net, torch.jit.ScriptModule) and list(net.parameters())
