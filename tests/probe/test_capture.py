"""Probe inputs (seeded, fixed across checkpoints) and activation capture by hooks."""

import numpy as np
import torch

from bumpdiff.data import lattice
from bumpdiff.diffusion.network import init_model
from bumpdiff.probe import capture_activations, probe_inputs


def test_probe_inputs_and_capture(tiny):
    model = init_model(tiny).eval()
    cond = lattice(8, 2.0, 2.0, (1, 6), (1, 6))  # 9 conditions
    abar = torch.linspace(0.99, 0.01, 50)
    x, c = probe_inputs(cond, 3, "noise", 8, seed=5, t=49, abar=abar)
    assert x.shape == (27, 1, 8, 8) and c.shape == (27, 2)
    assert not torch.equal(x[0], x[1])  # independent draws
    x2, _ = probe_inputs(cond, 3, "noise", 8, seed=5, t=49, abar=abar)
    assert torch.equal(x, x2)  # fixed across checkpoints
    xs, _ = probe_inputs(cond, 3, "shared_noise", 8, seed=5, t=49, abar=abar)
    assert torch.equal(xs[0], xs[3]) and not torch.equal(xs[0], xs[1])
    xd, _ = probe_inputs(cond, 1, "noised_data", 8, seed=5, t=0, abar=abar)
    assert xd[0, 0].argmax() == 1 * 8 + 1  # the bump at (1, 1) shows through at t = 0
    acts = capture_activations(model, "layer4", x, c, 49, batch_size=10)
    assert acts.shape == (27, 16 * 4 * 4)
    mid = capture_activations(model, "mid", x, c, 49)
    assert mid.shape == (27, 16 * 4 * 4) and not np.allclose(acts, mid)


def test_capture_that_stops_at_the_probe_point_sees_what_a_full_pass_sees(tiny):
    """Without ``outputs`` the pass ends at the probe point; the activations are those of a
    full forward pass (which ``outputs`` forces), and the hook is removed afterwards."""
    model = init_model(tiny).eval()
    cond = lattice(8, 2.0, 2.0, (1, 6), (1, 6))
    x, c = probe_inputs(cond, 2, "noise", 8, seed=1, t=49, abar=torch.linspace(0.99, 0.01, 50))
    for layer in ("down0", "layer4", "mid", "up1"):
        eps: list = []
        full = capture_activations(model, layer, x, c, 49, batch_size=7, outputs=eps)
        short = capture_activations(model, layer, x, c, 49, batch_size=7)
        np.testing.assert_array_equal(short, full)
        assert torch.cat(eps).shape == x.shape  # every batch's output kept when asked
    assert not model.probe_point("layer4")._forward_hooks
