"""``python -m bumpdiff …`` is ``bumpdiff …``."""

from bumpdiff.cli import main

main()
