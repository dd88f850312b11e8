"""Errors a user can cause. The CLI prints these as one line, without a traceback."""

from __future__ import annotations


class NewsdeskError(Exception):
    """A problem the user can fix; the message says what and how."""


class InputError(NewsdeskError):
    """An input file, folder or dataset cannot be read at all."""


class ModelLoadError(NewsdeskError):
    """A model name, directory or file cannot be loaded."""
