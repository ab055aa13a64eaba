"""Data: Gaussian bumps rendered on a lattice of centres (DESIGN.md, "Image")."""

from bumpdiff.data.lattice import axis_values, lattice, lattice_from_config, subgrid
from bumpdiff.data.render import (
    check_centers,
    check_centers_for,
    render_bumps,
    to_data_scale,
    to_model_scale,
)

__all__ = [
    "axis_values",
    "check_centers",
    "check_centers_for",
    "lattice",
    "lattice_from_config",
    "render_bumps",
    "subgrid",
    "to_data_scale",
    "to_model_scale",
]
