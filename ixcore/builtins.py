"""Backends that ship inside ixcore itself (registered like any third-party plugin)."""
from __future__ import annotations

from . import hookimpl
