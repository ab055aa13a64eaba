"""The version the code reports is the one the package is built with."""

from pathlib import Path

import tomllib

import bumpdiff
from bumpdiff.version import __version__


def test_the_version_is_pyproject_s():
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert __version__ == pyproject["project"]["version"] == bumpdiff.__version__
