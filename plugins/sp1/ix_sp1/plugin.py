"""Entry point of the ix_sp1 distribution: the ixcore hook implementations it provides.

Heavy imports stay inside factories so that plugin discovery stays cheap.
"""
from __future__ import annotations

from ixcore import hookimpl  # noqa: F401  (used by the registry hooks below)
