"""bumpdiff: how conditional diffusion models learn, or fail to learn, factorized codes.

``bumpdiff.open_run(path)`` opens a run folder from Python (bumpdiff/api.py); the command line
is ``bumpdiff`` (bumpdiff/cli.py)."""

from bumpdiff.version import __version__

__all__ = ["__version__", "open_run"]


def open_run(path):
    """A run folder opened for reading: config, phases and metrics as DataFrames, samples,
    the network and generation (bumpdiff/api.py; imported here only when called, so that
    ``import bumpdiff`` stays light)."""
    from bumpdiff.api import open_run as _open

    return _open(path)
