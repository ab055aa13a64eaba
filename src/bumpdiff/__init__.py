"""bumpdiff: how conditional diffusion models learn (or fail to learn) factorized representations."""

__version__ = "0.1.0"
