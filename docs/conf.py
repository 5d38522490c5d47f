"""Sphinx configuration (a stub until the documentation issue)."""

project = "sknas"
extensions = []
html_theme = "alabaster"
exclude_patterns = ["_build"]
