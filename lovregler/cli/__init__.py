"""The ``lovregler`` command, one module per command group."""

from lovregler.cli.app import main

__all__ = ["main"]
