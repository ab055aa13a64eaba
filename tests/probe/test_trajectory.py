"""Capturing the probed layer along the model's own sampling: the images are bit for bit those of
sampling without the probe, each requested timestep is captured once at the first step at or
below it (chunks concatenated in image order), replaying a capture reproduces its activations,
and the weight-shuffled control keeps every tensor's shape and values."""

import numpy as np
import torch
from conftest import tiny_config

from bumpdiff.diffusion.network import init_model
from bumpdiff.diffusion.sampling import SamplerSpec, generate
from bumpdiff.probe.trajectory import Recorder, replay, shuffled_weights

GRID = np.array([[2.0, 3.0], [4.0, 5.0], [3.0, 6.0], [5.0, 2.0], [6.0, 6.0]])
REQUESTED = [49, 30, 10, 0]


def _sample(model, cfg, spec):
    return generate(model, cfg, GRID, 2, 11, spec)[0]


def test_sampling_with_the_probe_attached_gives_the_same_images_bit_for_bit(freezes):
    freezes.on(True)  # without the probe the network is frozen for sampling
    for noise in ("own", "brownian"):
        cfg = tiny_config("sample.batch_size=4")
        spec = SamplerSpec("ddpm", 10, noise=noise)
        model = init_model(cfg).eval()
        plain = _sample(model, cfg, spec)
        recorder = Recorder(model, cfg.probe.layer, REQUESTED)
        before = freezes.made
        probed = _sample(recorder, cfg, spec)
        assert freezes.made > before  # the steps without a capture ran the frozen network
        assert np.array_equal(plain, probed)
        assert sorted(recorder.merged()) == sorted(REQUESTED)


def test_each_request_is_captured_at_the_first_step_at_or_below_it_in_image_order():
    cfg = tiny_config("sample.batch_size=4")
    model = init_model(cfg).eval()
    spec = SamplerSpec("ddpm", 10)  # steps 45, 40, …, 0 of T = 50
    chunked = Recorder(model, cfg.probe.layer, REQUESTED)
    _sample(chunked, cfg, spec)
    whole = Recorder(model, cfg.probe.layer, REQUESTED)
    _sample(whole, tiny_config("sample.batch_size=64"), spec)
    a, b = chunked.merged(), whole.merged()
    assert {r: a[r].t for r in REQUESTED} == {49: 45, 30: 30, 10: 10, 0: 0}
    for r in REQUESTED:
        assert a[r].x_t.shape[0] == len(GRID) * 2
        assert torch.allclose(a[r].x_t, b[r].x_t, atol=1e-5)  # chunking moves last bits
        assert np.allclose(a[r].activations, b[r].activations, atol=1e-5)


def test_replaying_a_capture_gives_its_activations():
    cfg = tiny_config()
    model = init_model(cfg).eval()
    recorder = Recorder(model, cfg.probe.layer, [30])
    _sample(recorder, cfg, SamplerSpec("ddpm", 10))
    capture = recorder.merged()[30]
    cond = torch.from_numpy(np.repeat(GRID, 2, axis=0).astype(np.float32))
    again = replay(model, cfg.probe.layer, capture, cond)
    assert np.allclose(again, capture.activations, atol=1e-5)


def test_the_shuffled_control_keeps_each_tensors_shape_and_values():
    model = init_model(tiny_config()).eval()
    shuffled = shuffled_weights(model, seed=3)
    moved = 0
    for (name, a), (_, b) in zip(model.named_parameters(), shuffled.named_parameters()):
        assert a.shape == b.shape, name
        assert torch.equal(a.flatten().sort().values, b.flatten().sort().values), name
        moved += int(a.numel() > 1 and not torch.equal(a, b))
    assert moved > 0
    assert all(
        torch.equal(a, b)
        for a, b in zip(model.parameters(), init_model(tiny_config()).eval().parameters())
    )  # the original is untouched
