"""The package's version, in one place: pyproject.toml reads it, /health and the board show it."""

__version__ = "1.0.0"
