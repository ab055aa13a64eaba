"""The report: every figure (figures.py) and every page (pages.py, Jinja2 templates in
templates/), with the Method section generated from the config (method.py)."""
