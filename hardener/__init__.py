"""hardener: harden Docker hosts to the Alibaba Cloud Docker security baseline, and undo it."""

__version__ = "0.1.0"  # the package's version (pyproject.toml reads it from here)
