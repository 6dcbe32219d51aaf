"""ixcore: the thin core of ix.

It holds the data model (addresses, claims, profiles, manifests), the byte formats,
the hook specifications, the plugin host, the pipeline and the CLI. Backends live in
separately installable plugin distributions that import the markers below.
"""
import pluggy

__version__ = "0.1.0"

PROJECT = "ixcore"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)
