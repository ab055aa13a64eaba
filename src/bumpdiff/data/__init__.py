"""Data: Gaussian bumps rendered on a lattice of centres (docs/science.md, "Data")."""

from bumpdiff.data.dataset import trained_mask, training_indices, training_set
from bumpdiff.data.holdout import regions
from bumpdiff.data.lattice import (
    axis_values,
    label_permutation,
    lattice,
    lattice_from_config,
    off_lattice_points,
    subgrid,
    targets_for,
)
from bumpdiff.data.render import (
    check_centers,
    check_centers_for,
    render_bumps,
    render_images,
    to_data_scale,
    to_model_scale,
)

__all__ = [
    "axis_values",
    "check_centers",
    "check_centers_for",
    "label_permutation",
    "lattice",
    "lattice_from_config",
    "off_lattice_points",
    "regions",
    "render_bumps",
    "render_images",
    "subgrid",
    "targets_for",
    "to_data_scale",
    "to_model_scale",
    "trained_mask",
    "training_indices",
    "training_set",
]
