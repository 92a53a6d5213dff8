"""Staff commands beside serve: orders, forget (more are added by later features)."""
from __future__ import annotations

COMMANDS: list = []
