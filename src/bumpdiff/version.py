"""The package version, in one place for the code (pyproject.toml holds the same number; a test
keeps the two equal)."""

__version__ = "0.1.0"
