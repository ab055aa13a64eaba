import numpy as np
import torch

from bumpdiff.data import lattice_from_config, render_images, training_set
from bumpdiff.training.loop import training_data
from tests.conftest import tiny_config

STRIPES = ("model.conditioning=concat",)


def test_stripes_are_labelled_with_no_label_on_their_other_axis():
    cfg = tiny_config("data.kinds=[vstripe,hstripe]", *STRIPES)
    centres, labels, kinds = training_set(cfg.data, 0)
    assert kinds.tolist() == ["vstripe"] * 3 + ["hstripe"] * 3  # x and y in {1, 3, 5}
    assert np.isnan(labels[:3, 1]).all() and labels[:3, 0].tolist() == [1, 3, 5]
    assert np.isnan(labels[3:, 0]).all() and labels[3:, 1].tolist() == [1, 3, 5]


def test_holdout_and_kept_fraction_thin_only_the_2d_images():
    cfg = tiny_config("data.kinds=[sos,vstripe]", "data.holdout.kind=cross",
                      "data.holdout.band=[3,3]", "data.keep_fraction=0.5", *STRIPES)  # fmt: skip
    _, labels, kinds = training_set(cfg.data, 0)
    sos = labels[kinds == "sos"]
    assert len(sos) == 2  # 4 corners outside the cross, half of them kept
    assert not (sos == 3).any()
    assert (kinds == "vstripe").sum() == 3  # stripes at every x, the band's too


def test_training_data_renders_each_kind_on_the_extended_canvas():
    cfg = tiny_config("data.kinds=[vstripe,hstripe,sos]", "data.canvas=12",
                      "data.x_range=[2,9]", "data.y_range=[2,9]", "data.dx=7", "data.dy=7",
                      *STRIPES)  # fmt: skip
    x_0, cond = training_data(cfg, torch.device("cpu"))
    images = (x_0[:, 0].numpy() + 1) / 2
    assert images.shape == (2 + 2 + 4, 8, 8)
    # vstripe at latent x = 2 is visible column 0 (offset 2); latent 9 → column 7
    assert np.allclose(images[0][:, 0], 1) and np.allclose(images[1][:, 7], 1)
    assert images[-1].max() == np.float32(2.0)  # SOS (9, 9): both stripes cross at (7, 7)


def test_extended_canvas_is_a_centred_crop_of_the_latent_render():
    """Rendering on the 44-pixel latent canvas and slicing out its centre equals rendering the
    visible 32 pixels with the offset; a stripe wholly outside the frame is invisible."""
    labels = np.array([[20.5, 3.0], [1.0, np.nan], [np.nan, 40.0], [5.0, 38.0]])
    kinds = np.array(["bump", "vstripe", "hstripe", "sos"])
    big = render_images(labels, kinds, 44, 1.0)
    crop = render_images(labels, kinds, 32, 1.0, canvas=44)
    assert np.array_equal(big[:, 6:38, 6:38], crop)
    assert crop[1].max() < 1e-5  # latent x = 1 lies 5 px left of the frame
    assert np.isclose(big[0, 3, 20], np.exp(-0.125))  # the bump's peak row, half a pixel off


def test_bump_only_datasets_keep_the_lattice_order():
    cfg = tiny_config()
    centres, labels, kinds = training_set(cfg.data, 0)
    assert np.array_equal(centres, lattice_from_config(cfg.data)) and (kinds == "bump").all()


def test_a_holdout_that_leaves_nothing_is_refused():
    import pytest

    from bumpdiff.config import ConfigError

    cfg = tiny_config("data.holdout.kind=lesion", "data.holdout.width=10")
    with pytest.raises(ConfigError, match="data.holdout: holds out every condition"):
        training_set(cfg.data, 0)
