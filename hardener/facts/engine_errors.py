"""What goes wrong reading the Engine API (apart from its client, so that
callers can name it without loading http.client)."""
from __future__ import annotations


class EngineError(Exception):
    """The engine cannot be reached, or refused a request; `missing` when nothing listens where it should."""

    def __init__(self, message: str, missing: bool = False, status: int = 0):
        super().__init__(message)
        self.missing = missing
        self.status = status
