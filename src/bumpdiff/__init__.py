"""bumpdiff: how conditional diffusion models learn, or fail to learn, factorized codes."""

__version__ = "0.1.0"
